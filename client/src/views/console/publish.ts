// The published outcome: the chair publishes it (again, to pin a newer log)
// or takes it down; its stable link needs no token. And carrying forward: a
// past outcome (a session of this server, or its published JSON as a file)
// brings back what had no consensus or needed revision, as drafts.
import { h, setText, uid } from "../../dom";
import { t } from "../../i18n";
import type { Snapshot } from "../../protocol";
import type { ConsoleContext } from "./context";
import type { Panel } from "./propositions";

export function publishPanel(ctx: ConsoleContext): Panel {
  let sessionId = "";
  const state = h("p", { class: "outcome-state", role: "status" });
  const link = h("a", { class: "outcome-link", target: "_blank", rel: "noopener" });
  const noteId = uid("outcome-note");
  const note = h("input", { id: noteId, maxlength: 2000 });
  const publish = h("button", { type: "button", class: "primary" });
  const unpublish = h("button", { type: "button", class: "danger" }, t("outcome_unpublish"));
  publish.addEventListener("click", () => {
    const text = note.value.trim();
    void ctx.run("outcome:publish", text ? { note: text } : {});
  });
  unpublish.addEventListener("click", () => {
    if (window.confirm(t("confirm_unpublish"))) void ctx.run("outcome:unpublish", {});
  });
  const carry = carryForm(ctx, () => sessionId);
  const el = h(
    "section",
    { class: "panel publish", "aria-labelledby": "h-outcome" },
    h("h2", { id: "h-outcome" }, t("outcome")),
    state,
    h("p", {}, link),
    h("div", { class: "row" }, h("label", { for: noteId }, t("outcome_note")), note),
    h("div", { class: "row" }, publish, unpublish),
    carry,
  );

  return {
    el,
    update(s: Snapshot) {
      sessionId = s.session.session_id;
      const published = s.publication?.published ?? false;
      setText(
        state,
        published
          ? t("outcome_published", { version: s.publication?.version ?? 0 })
          : t("outcome_not_published"),
      );
      const href = new URL(`/outcome/${encodeURIComponent(sessionId)}`, location.origin).href;
      link.href = href;
      setText(link, href);
      link.hidden = !published;
      setText(publish, published ? t("outcome_republish") : t("outcome_publish"));
      unpublish.hidden = !published;
    },
  };
}

function carryForm(ctx: ConsoleContext, sessionId: () => string): HTMLElement {
  const pastId = uid("carry-session");
  const fileId = uid("carry-file");
  const past = h("input", { id: pastId, maxlength: 64, autocomplete: "off" });
  const file = h("input", { id: fileId, type: "file", accept: ".json,application/json" });
  const fromSession = h("button", { type: "button" }, t("carry_from_session"));
  const fromFile = h("button", { type: "button" }, t("carry_from_file"));
  fromSession.addEventListener("click", () => {
    if (past.value.trim()) void bringBack(ctx, sessionId(), { session_id: past.value.trim() });
  });
  fromFile.addEventListener("click", async () => {
    const chosen = file.files?.[0];
    if (!chosen) return;
    let outcome: unknown;
    try {
      outcome = JSON.parse(await chosen.text());
    } catch {
      ctx.shell.showError({ code: "bad_request", message: t("carry_bad_file") });
      return;
    }
    if (await bringBack(ctx, sessionId(), { outcome })) file.value = "";
  });
  return h(
    "div",
    { class: "carry" },
    h("h3", {}, t("carry_title")),
    h("div", { class: "row" }, h("label", { for: pastId }, t("carry_session")), past, fromSession),
    h("div", { class: "row" }, h("label", { for: fileId }, t("carry_file")), file, fromFile),
  );
}

/** Carrying forward is an HTTP call (an outcome file may be larger than a socket message). */
async function bringBack(ctx: ConsoleContext, sessionId: string, body: object): Promise<boolean> {
  const response = await fetch(`/api/sessions/${encodeURIComponent(sessionId)}/carry-forward`, {
    method: "POST",
    headers: { Authorization: `Bearer ${ctx.token()}`, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = (await response.json().catch(() => null)) as {
    proposition_ids?: string[];
    error?: { code?: string; message?: string };
  } | null;
  if (!response.ok) {
    ctx.shell.showError({ code: "bad_request", message: answer?.error?.message ?? response.statusText });
    return false;
  }
  ctx.shell.announce(t("carried_n", { n: answer?.proposition_ids?.length ?? 0 }));
  return true;
}
