// Session facts for the chair: the session id, the join link and QR code,
// the projector's link (copy, QR) and every hub's link as they are now,
// rotating a shared link (after a confirmation), who has joined, the log
// head, the report downloads and the export/verify commands to copy.
import { h, replace, setText, uid } from "../../dom";
import { t } from "../../i18n";
import { REPORT_FORMATS, type ReportFormat, type Snapshot } from "../../protocol";
import type { ConsoleContext } from "./context";
import type { Panel } from "./propositions";

interface Links {
  urls: { join: string; console: string; display: string };
  hubs: { hub_id: string; name: string; url: string }[];
  commands: { export: string; verify: string };
  display_qr: string;
}

export function sessionPanel(ctx: ConsoleContext): Panel {
  const link = h("a", { class: "join-link", target: "_blank", rel: "noopener" });
  const code = h("span", { class: "join-code" });
  const sessionIdText = h("code", { class: "session-id" });
  const qr = h("img", { class: "qr", alt: t("qr_alt"), width: 160, height: 160 });
  const participation = h("p", { class: "participation" });
  const head = h("p", { class: "head muted" });
  const status = h("p", { class: "session-status", role: "status" });
  const downloads = h("div", { class: "row reports" });
  const shared = h("div", { class: "shared-links" });
  const commands = h("div", { class: "commands" });
  let sessionId = "";
  let hubsSeen = "";
  for (const format of REPORT_FORMATS) {
    const button = h(
      "button",
      { type: "button", class: "small", "data-format": format },
      t("download", { format: format.toUpperCase() }),
    );
    button.addEventListener("click", () => void download(ctx, sessionId, format));
    downloads.append(button);
  }
  const refreshLinks = async (): Promise<void> => {
    const links = await fetchLinks(ctx, sessionId);
    if (!links) return;
    replace(shared, ...sharedLinks(ctx, links, refreshLinks));
    replace(
      commands,
      copyField(t("export_command"), links.commands.export, "export-command"),
      copyField(t("verify_command"), links.commands.verify, "verify-command"),
    );
  };
  const el = h(
    "section",
    { class: "panel session", "aria-labelledby": "h-session" },
    h("h2", { id: "h-session" }, t("join_link")),
    h(
      "div",
      { class: "join-box" },
      qr,
      h("div", {}, h("p", {}, link), h("p", {}, `${t("join_code")}: `, code)),
    ),
    h("p", {}, `${t("session_id")}: `, sessionIdText),
    status,
    participation,
    head,
    h("h3", {}, t("shared_links")),
    shared,
    h("h3", {}, t("reports")),
    downloads,
    commands,
  );

  return {
    el,
    update(s: Snapshot) {
      const first = sessionId === "";
      sessionId = s.session.session_id;
      setText(sessionIdText, sessionId);
      // The server sends a path when it knows no public address.
      const joinUrl = new URL(s.session.join_url, location.origin).href;
      link.href = joinUrl;
      setText(link, joinUrl);
      setText(code, s.session.join_code);
      const src = `/api/join/${encodeURIComponent(s.session.join_code)}/qr.svg`;
      if (qr.getAttribute("src") !== src) qr.src = src;
      if (s.participation) setText(participation, t("participation", { ...s.participation }));
      setText(head, s.head ? t("log_head", { head: s.head }) : "");
      const state = s.session.status ?? "open";
      setText(status, state === "open" ? "" : t(`session_state_${state}`));
      // Links are fetched once, and again when hubs come or go (a new hub's link).
      const hubs = (s.hubs ?? []).map((hub) => hub.hub_id).join(",");
      if (first || hubs !== hubsSeen) {
        hubsSeen = hubs;
        void refreshLinks();
      }
    },
  };
}

function sharedLinks(ctx: ConsoleContext, links: Links, refresh: () => Promise<void>): HTMLElement[] {
  const rotate = (role: "facilitator" | "display", label: string, question: string): HTMLElement => {
    const button = h("button", { type: "button", class: "small danger" }, label);
    button.addEventListener("click", async () => {
      if (!window.confirm(question)) return;
      const ack = await ctx.run("links:rotate", { role });
      if (!ack) return;
      if (role === "facilitator") ctx.connection.adopt(ack.token);
      await refresh();
    });
    return button;
  };
  return [
    h(
      "div",
      { class: "display-link" },
      h("img", { class: "qr display-qr", src: links.display_qr, alt: t("display_qr_alt"), width: 140, height: 140 }),
      copyField(t("display_link"), links.urls.display, "display-url"),
    ),
    h(
      "div",
      { class: "row" },
      rotate("display", t("rotate_display"), t("confirm_rotate_display")),
      rotate("facilitator", t("rotate_console"), t("confirm_rotate_console")),
    ),
    ...links.hubs.map((hub) => copyField(t("hub_link_of", { name: hub.name }), hub.url, "hub-link-url")),
  ];
}

/** A read-only field with a copy button: links and commands to hand on. */
function copyField(label: string, value: string, cls: string): HTMLElement {
  const id = uid(cls);
  const input = h("input", { id, class: cls, readonly: true, value, dir: "ltr" });
  input.addEventListener("focus", () => input.select());
  const done = h("span", { class: "muted", role: "status" });
  const copy = h("button", { type: "button", class: "small", "aria-label": `${t("copy")}: ${label}` }, t("copy"));
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // No clipboard (plain http, permissions): select it for Ctrl+C instead.
      input.focus();
      input.select();
    }
    setText(done, t("copied"));
  });
  return h("div", { class: "field copy-field" }, h("label", { for: id }, label), h("div", { class: "row" }, input, copy, done));
}

async function fetchLinks(ctx: ConsoleContext, sessionId: string): Promise<Links | null> {
  const response = await fetch(`/api/sessions/${encodeURIComponent(sessionId)}/links`, {
    headers: { Authorization: `Bearer ${ctx.token()}` },
  }).catch(() => null);
  if (!response?.ok) return null;
  return (await response.json()) as Links;
}

/** Reports need the facilitator token as a header, so they are fetched, not linked. */
async function download(ctx: ConsoleContext, sessionId: string, format: ReportFormat): Promise<void> {
  const response = await fetch(`/api/sessions/${encodeURIComponent(sessionId)}/report.${format}`, {
    headers: { Authorization: `Bearer ${ctx.token()}` },
  });
  if (!response.ok) {
    const body = (await response.json().catch(() => null)) as { error?: { message?: string } } | null;
    ctx.shell.showError({ code: "internal", message: body?.error?.message ?? response.statusText });
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const anchor = h("a", { href: url, download: `plenary-${sessionId}.${format}` });
  document.body.append(anchor);
  anchor.click();
  anchor.remove();
  // Give the browser a moment to start the download before freeing the blob.
  window.setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
