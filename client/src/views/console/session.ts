// Session facts for the chair: the join link and QR code to share, who has
// joined, the log head, and the report downloads.
import { h, setText } from "../../dom";
import { t } from "../../i18n";
import { REPORT_FORMATS, type ReportFormat, type Snapshot } from "../../protocol";
import type { ConsoleContext } from "./context";
import type { Panel } from "./propositions";

export function sessionPanel(ctx: ConsoleContext): Panel {
  const link = h("a", { class: "join-link", target: "_blank", rel: "noopener" });
  const code = h("span", { class: "join-code" });
  const qr = h("img", { class: "qr", alt: t("qr_alt"), width: 160, height: 160 });
  const participation = h("p", { class: "participation" });
  const head = h("p", { class: "head muted" });
  const downloads = h("div", { class: "row reports" });
  let sessionId = "";
  for (const format of REPORT_FORMATS) {
    const button = h(
      "button",
      { type: "button", class: "small", "data-format": format },
      t("download", { format: format.toUpperCase() }),
    );
    button.addEventListener("click", () => void download(ctx, sessionId, format));
    downloads.append(button);
  }
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
    participation,
    head,
    h("h3", {}, t("reports")),
    downloads,
  );

  return {
    el,
    update(s: Snapshot) {
      sessionId = s.session.session_id;
      // The server sends a path when it knows no public address.
      const joinUrl = new URL(s.session.join_url, location.origin).href;
      link.href = joinUrl;
      setText(link, joinUrl);
      setText(code, s.session.join_code);
      const src = `/api/join/${encodeURIComponent(s.session.join_code)}/qr.svg`;
      if (qr.getAttribute("src") !== src) qr.src = src;
      if (s.participation) setText(participation, t("participation", { ...s.participation }));
      setText(head, s.head ? t("log_head", { head: s.head }) : "");
    },
  };
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
