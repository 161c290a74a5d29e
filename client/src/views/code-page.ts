// The front page (`/`): a field for the code shown on the projector. The
// code is read forgivingly (join-code.ts); a code no session has is said
// next to the field, and a known one opens that session's join form.
import "../styles/phone.css";
import { h, replace, setText, uid } from "../dom";
import { onLanguage, t } from "../i18n";
import { normaliseJoinCode } from "../join-code";
import { createShell } from "../shell";

export function start(): void {
  const shell = createShell("view-phone view-code", "Plenary");
  const render = (): void => {
    shell.setTitle("Plenary");
    replace(shell.main, codeForm());
  };
  onLanguage(render);
  render();
}

function codeForm(): HTMLFormElement {
  const inputId = uid("code");
  const errorId = uid("code-error");
  const hintId = uid("code-hint");
  const input = h("input", {
    id: inputId,
    name: "code",
    required: true,
    maxlength: 32,
    autocomplete: "off",
    autocapitalize: "characters",
    spellcheck: "false",
    class: "code-input",
    dir: "ltr",
    "aria-describedby": hintId,
  });
  const hint = h("p", { id: hintId, class: "muted" }, t("code_hint"));
  const error = h("p", { id: errorId, class: "field-error", role: "alert", hidden: true });
  const button = h("button", { type: "submit", class: "primary big" }, t("code_go"));
  const form = h(
    "form",
    { class: "join card code-form", novalidate: true },
    h("h2", {}, t("code_title")),
    h("div", { class: "field" }, h("label", { for: inputId }, t("code_label")), input, hint, error),
    button,
  );
  const showError = (message: string): void => {
    setText(error, message);
    error.hidden = false;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", `${errorId} ${hintId}`);
    input.focus();
  };
  input.addEventListener("input", () => {
    error.hidden = true;
    input.removeAttribute("aria-invalid");
    input.setAttribute("aria-describedby", hintId);
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = normaliseJoinCode(input.value);
    if (!code) return showError(t("code_empty"));
    button.disabled = true;
    try {
      const response = await fetch(`/api/join/${encodeURIComponent(code)}`);
      if (response.ok) {
        location.assign(`/join/${encodeURIComponent(code)}`);
        return;
      }
      const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
      showError(response.status === 404 ? t("code_unknown") : (body?.error?.message ?? response.statusText));
    } catch {
      showError(t("no_answer"));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
