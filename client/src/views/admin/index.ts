// The operator's page (`/admin`): sign in with the admin token, see every
// session, create one, open its links, close, archive or reopen it.
import "../../styles/admin.css";
import { h, replace, setText, uid } from "../../dom";
import { onLanguage, t } from "../../i18n";
import { createShell, type Shell } from "../../shell";
import { ApiFailure, call, storeToken, storedToken, type SessionRow } from "./api";
import { createForm } from "./create-form";
import { sessionList } from "./session-list";

export function start(): void {
  const shell = createShell("view-admin", t("admin_title"));
  const show = (): void => {
    const token = storedToken();
    if (token) void signedIn(shell, token, show);
    else signIn(shell, show);
  };
  show();
  onLanguage(() => {
    shell.setTitle(t("admin_title"));
    show();
  });
}

function signIn(shell: Shell, done: () => void): void {
  const id = uid("admin-token");
  const input = h("input", { id, type: "password", required: true, autocomplete: "off", name: "token" });
  const problem = h("p", { class: "form-error", role: "alert" });
  const submit = h("button", { type: "submit", class: "primary" }, t("admin_sign_in"));
  const form = h(
    "form",
    { class: "panel sign-in" },
    h("h2", {}, t("admin_sign_in")),
    h("p", { class: "muted" }, t("admin_token_help")),
    h("div", { class: "field" }, h("label", { for: id }, t("admin_token")), input),
    problem,
    submit,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    setText(problem, "");
    submit.disabled = true;
    try {
      await call("/api/sessions", input.value.trim());
      storeToken(input.value.trim());
      done();
    } catch (error) {
      const refused = error instanceof ApiFailure && error.status === 401;
      setText(problem, refused ? t("admin_wrong_token") : t("error", { message: String((error as Error).message) }));
      input.focus();
    } finally {
      submit.disabled = false;
    }
  });
  replace(shell.main, form);
  input.focus();
}

async function signedIn(shell: Shell, token: string, signedOut: () => void): Promise<void> {
  const signOut = h("button", { type: "button", class: "small" }, t("admin_sign_out"));
  signOut.addEventListener("click", () => {
    storeToken(null);
    signedOut();
  });
  const list = sessionList(token, (error) => report(shell, error, signedOut));
  const refresh = async (): Promise<void> => {
    try {
      const answer = await call<{ sessions: SessionRow[] }>("/api/sessions", token);
      list.show(answer.sessions);
    } catch (error) {
      report(shell, error, signedOut);
    }
  };
  list.onChange(refresh);
  const form = await createForm(token, refresh, (error) => report(shell, error, signedOut));
  replace(
    shell.main,
    h("div", { class: "row admin-bar" }, h("p", { class: "muted" }, t("admin_signed_in")), signOut),
    h("div", { class: "admin-grid" }, list.el, form),
  );
  await refresh();
}

/** A refusal: a token no longer valid signs out; anything else is shown. */
function report(shell: Shell, error: unknown, signedOut: () => void): void {
  if (error instanceof ApiFailure && error.status === 401) {
    storeToken(null);
    signedOut();
    shell.showError({ code: "unauthorized", message: t("admin_wrong_token") });
  } else if (error instanceof ApiFailure) {
    shell.showError(error.error);
  } else {
    shell.showError({ code: "internal", message: String(error) });
  }
}
