// Registered participants: import a registrant list (every bad row shown),
// the list with each invitation's delivery status, the links as CSV for a
// mail merge, sending the invitations by email, and removing a registrant
// (which revokes their link). Registrants are read over HTTP with the
// facilitator token: their email addresses are not in any snapshot.
import { h, replace, setText, syncList, uid } from "../../dom";
import { channelLabel, groupLabel, t } from "../../i18n";
import type { Registrant, RowProblem, Snapshot, WireError } from "../../protocol";
import type { ConsoleContext } from "./context";
import type { Panel } from "./propositions";

interface Failure {
  error?: WireError & { rows?: RowProblem[] };
}

export function registrantsPanel(ctx: ConsoleContext, sessionId: () => string): Panel {
  const fileId = uid("registrant-file");
  const file = h("input", { id: fileId, type: "file", accept: ".csv,text/csv", required: true });
  const form = h(
    "form",
    { class: "row registrant-import" },
    h("div", { class: "field" }, h("label", { for: fileId }, t("registrant_file")), file),
    h("button", { type: "submit", class: "primary" }, t("import_list")),
  );
  const status = h("p", { class: "muted", role: "status" });
  const problems = h("div", { class: "row-problems", role: "alert" });
  const exportButton = h("button", { type: "button" }, t("export_links"));
  const sendButton = h("button", { type: "button" }, t("send_invitations"));
  const admission = admissionForm(ctx);
  const empty = h("p", { class: "muted" }, t("no_registrants"));
  const body = h("tbody", {});
  const table = h(
    "table",
    { class: "registrant-table" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...(["col_name", "col_group", "col_delivery", "col_actions"] as const).map((key) =>
          h("th", { scope: "col" }, t(key)),
        ),
      ),
    ),
    body,
  );
  const el = h(
    "section",
    { class: "panel registrants", "aria-labelledby": "h-registrants" },
    h("h2", { id: "h-registrants" }, t("registrants")),
    admission.el,
    form,
    problems,
    h("div", { class: "row" }, exportButton, sendButton),
    status,
    empty,
    h("div", { class: "table-scroll" }, table),
  );

  const api = (path: string, init: RequestInit = {}): Promise<Response> =>
    fetch(`/api/sessions/${encodeURIComponent(sessionId())}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${ctx.token()}`, ...(init.headers ?? {}) },
    });
  const failed = async (response: Response): Promise<void> => {
    const answer = (await response.json().catch(() => null)) as Failure | null;
    ctx.shell.showError(answer?.error ?? { code: "internal", message: response.statusText });
  };

  const rows = new Map<string, RegistrantRow>();
  let polling: number | undefined;
  const refresh = async (): Promise<void> => {
    const response = await api("/registrants");
    if (!response.ok) return failed(response);
    const listed = ((await response.json()) as { registrants: Registrant[] }).registrants;
    empty.hidden = listed.length > 0;
    table.hidden = listed.length === 0;
    syncList(
      body,
      listed,
      (r) => r.registrant_id,
      (r) => registrantRow(ctx, r, refresh),
      (row, r) => row.update(r),
      rows,
    );
    // While letters are on their way, their statuses are worth watching.
    window.clearTimeout(polling);
    if (listed.some((r) => r.delivery?.status === "queued"))
      polling = window.setTimeout(() => void refresh(), 1500);
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) return;
    replace(problems);
    const response = await api("/registrants", {
      method: "POST",
      headers: { "Content-Type": "text/csv" },
      body: await chosen.text(),
    });
    if (response.ok) {
      const answer = (await response.json()) as { imported: number };
      setText(status, t("imported_n", { n: answer.imported }));
      form.reset();
    } else {
      const answer = (await response.json().catch(() => null)) as Failure | null;
      const rowsRefused = answer?.error?.rows;
      if (rowsRefused) showProblems(problems, rowsRefused);
      else await failed(response);
      setText(status, "");
    }
    await refresh();
  });
  exportButton.addEventListener("click", async () => {
    const response = await api("/registrants.csv");
    if (!response.ok) return failed(response);
    const url = URL.createObjectURL(await response.blob());
    const anchor = h("a", { href: url, download: `plenary-${sessionId()}-invitations.csv` });
    document.body.append(anchor);
    anchor.click();
    anchor.remove();
    window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });
  sendButton.addEventListener("click", async () => {
    const response = await api("/invitations", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    if (!response.ok) return failed(response);
    const answer = (await response.json()) as { queued: number };
    setText(status, t("invitations_queued", { n: answer.queued }));
    await refresh();
  });

  let seen = "";
  return {
    el,
    update(s: Snapshot) {
      const settings = s.session.settings;
      admission.update(settings.admission ?? "open", settings.suggestion_follows ?? "all");
      // Someone came through their link, or the list changed: show it.
      const now = `${s.session.session_id}/${s.participation?.registered ?? 0}/${s.participation?.invited ?? 0}`;
      if (now !== seen) {
        seen = now;
        void refresh();
      }
    },
  };
}

type Admission = "open" | "registered" | "both";

/** Who may take part (`admission:set`), and whether the suggestion follows the registered raters. */
function admissionForm(ctx: ConsoleContext): {
  el: HTMLElement;
  update(mode: Admission, follows: string): void;
} {
  const selectId = uid("admission");
  const select = h(
    "select",
    { id: selectId },
    ...(["open", "registered", "both"] as const).map((mode) =>
      h("option", { value: mode }, t(`admission_${mode}`)),
    ),
  );
  const box = h("input", { type: "checkbox" });
  const boxLabel = h("label", { class: "choice" }, box, h("span", {}, t("suggestion_registered")));
  const save = (): void => {
    const admission = select.value as Admission;
    void ctx.run("admission:set", {
      admission,
      suggestion_follows: box.checked ? "registered" : "all",
    });
  };
  select.addEventListener("change", save);
  box.addEventListener("change", save);
  return {
    el: h(
      "div",
      { class: "admission-form" },
      h("div", { class: "field" }, h("label", { for: selectId }, t("admission_label")), select),
      boxLabel,
    ),
    update(mode, follows) {
      if (document.activeElement !== select) select.value = mode;
      box.checked = follows === "registered";
      // The split, and so a suggestion of the registered raters alone, exists with `both` only.
      boxLabel.hidden = mode !== "both";
    },
  };
}

function showProblems(container: HTMLElement, found: RowProblem[]): void {
  replace(
    container,
    h("p", {}, t("import_refused")),
    h(
      "ul",
      {},
      ...found.map((p) => h("li", { dir: "auto" }, t("row_problem", { row: p.row, reason: p.reason }))),
    ),
  );
}

interface RegistrantRow {
  el: HTMLTableRowElement;
  update(r: Registrant): void;
}

function registrantRow(ctx: ConsoleContext, first: Registrant, refresh: () => Promise<void>): RegistrantRow {
  const name = h("span", { class: "speaker-name", dir: "auto" });
  const email = h("span", { class: "email", dir: "ltr" });
  const registration = h("td", {});
  const state = h("td", {});
  const remove = h(
    "button",
    { type: "button", class: "small danger", "aria-label": `${t("remove")}: ${first.name}` },
    t("remove"),
  );
  remove.addEventListener("click", async () => {
    if (!window.confirm(t("confirm_remove_registrant"))) return;
    if (await ctx.run("registrant:remove", { registrant_id: first.registrant_id })) await refresh();
  });
  const actions = h("td", {});
  const el = h(
    "tr",
    { "data-registrant": first.registrant_id },
    h("td", {}, name, h("br", {}), email),
    registration,
    state,
    actions,
  );
  return {
    el,
    update(r) {
      setText(name, r.name);
      setText(email, r.email ?? "–");
      setText(
        registration,
        [groupLabel(r.stakeholder_group), channelLabel(r.channel), r.language].join(" · "),
      );
      const presence = r.removed ? t("removed") : r.joined ? t("registrant_joined") : t("registrant_waiting");
      setText(state, `${presence} · ${deliveryText(r)}`);
      el.classList.toggle("is-removed", r.removed);
      el.dataset.delivery = r.delivery?.status ?? "none";
      if (r.removed) replace(actions);
      else if (!actions.contains(remove)) replace(actions, remove);
    },
  };
}

function deliveryText(r: Registrant): string {
  const delivery = r.delivery;
  if (!delivery) return t("delivery_none");
  if (delivery.status === "failed") return t("delivery_failed", { reason: delivery.reason ?? "" });
  return t(`delivery_${delivery.status}`);
}
