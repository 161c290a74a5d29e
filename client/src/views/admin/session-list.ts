// The sessions of this server, newest first, with their links and state.
import { h, replace, setText, uid } from "../../dom";
import { t } from "../../i18n";
import { call, type SessionRow, type SessionStatus } from "./api";

export interface SessionList {
  el: HTMLElement;
  show(sessions: SessionRow[]): void;
  onChange(listener: () => Promise<void>): void;
}

export function sessionList(token: string, fail: (error: unknown) => void): SessionList {
  const showArchivedId = uid("show-archived");
  const showArchived = h("input", { id: showArchivedId, type: "checkbox" });
  const body = h("tbody", {});
  const empty = h("p", { class: "muted" }, t("admin_no_sessions"));
  const table = h(
    "table",
    { class: "sessions" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        ...["admin_col_title", "admin_col_created", "admin_col_joined", "admin_col_propositions", "admin_col_state"].map(
          (key) => h("th", { scope: "col" }, t(key as "admin_col_title")),
        ),
        h("th", { scope: "col" }, t("admin_col_links")),
      ),
    ),
    body,
  );
  const el = h(
    "section",
    { class: "panel session-list", "aria-labelledby": "h-sessions" },
    h("h2", { id: "h-sessions" }, t("admin_sessions")),
    h("div", { class: "row" }, showArchived, h("label", { for: showArchivedId }, t("admin_show_archived"))),
    empty,
    h("div", { class: "table-scroll" }, table),
  );
  let changed: () => Promise<void> = async () => undefined;
  let last: SessionRow[] = [];
  const render = (): void => {
    const shown = last.filter((s) => showArchived.checked || s.status !== "archived");
    empty.hidden = shown.length > 0;
    replace(body, ...shown.map((s) => row(s, token, fail, () => changed())));
  };
  showArchived.addEventListener("change", render);
  return {
    el,
    show(sessions) {
      last = sessions;
      render();
    },
    onChange(listener) {
      changed = listener;
    },
  };
}

function row(s: SessionRow, token: string, fail: (error: unknown) => void, changed: () => Promise<void>): HTMLElement {
  const created = new Date(s.created_at * 1000).toLocaleString();
  const state = h("span", { class: `badge state-${s.status}` }, t(`admin_state_${s.status}`));
  const actions = h("div", { class: "row" });
  const act = (status: SessionStatus, label: string, confirmText: string, danger = false): HTMLElement => {
    const button = h(
      "button",
      { type: "button", class: danger ? "small danger" : "small", "aria-label": `${label}: ${s.title}` },
      label,
    );
    button.addEventListener("click", async () => {
      if (!window.confirm(confirmText)) return;
      try {
        await call(`/api/sessions/${encodeURIComponent(s.session_id)}/status`, token, { status });
        setText(state, t(`admin_state_${status}`));
        await changed();
      } catch (error) {
        fail(error);
      }
    });
    return button;
  };
  if (s.status === "open") {
    actions.append(act("closed", t("admin_close"), t("admin_confirm_close", { title: s.title }), true));
  } else {
    actions.append(act("open", t("admin_reopen"), t("admin_confirm_reopen", { title: s.title })));
  }
  if (s.status !== "archived") {
    actions.append(act("archived", t("admin_archive"), t("admin_confirm_archive", { title: s.title })));
  }
  const link = (href: string, label: string, cls: string): HTMLElement =>
    h("a", { href, target: "_blank", rel: "noopener", class: cls, "aria-label": `${label}: ${s.title}` }, label);
  const links = h(
    "div",
    { class: "links" },
    link(s.urls.console, t("admin_open_console"), "open-console"),
    link(s.urls.display, t("admin_open_display"), "open-display"),
    link(s.urls.join, t("admin_open_join", { code: s.join_code }), "open-join"),
    ...s.hubs.map((hub) => link(hub.url, t("admin_open_hub", { name: hub.name }), "open-hub")),
  );
  return h(
    "tr",
    { "data-session": s.session_id },
    h("th", { scope: "row", dir: "auto" }, s.title, h("br", {}), h("code", { class: "muted" }, s.session_id)),
    h("td", {}, created),
    h("td", { class: "num" }, String(s.joined)),
    h("td", { class: "num" }, String(s.propositions)),
    h("td", {}, state, actions),
    h("td", {}, links),
  );
}
