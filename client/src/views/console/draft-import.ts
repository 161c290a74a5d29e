// Bring in a draft: paste text or choose a .docx, .md or .txt file; the server
// splits it into propositions (facilitation/draft.py); the chair edits,
// merges, splits or drops items here, then adds them in order.
import { h, replace, setText, uid } from "../../dom";
import { t } from "../../i18n";
import type { Snapshot, WireError } from "../../protocol";
import type { ConsoleContext } from "./context";
import type { Panel } from "./propositions";

interface Item {
  text: string;
  section: string | null;
  source: string | null;
}

interface Preview {
  title: string | null;
  items: Item[];
}

export function draftPanel(ctx: ConsoleContext): Panel {
  const pasteId = uid("draft-text");
  const fileId = uid("draft-file");
  const titleId = uid("draft-title");
  const paste = h("textarea", { id: pasteId, rows: 6, name: "draft" });
  const file = h("input", { id: fileId, type: "file", accept: ".docx,.md,.markdown,.txt,text/plain,text/markdown" });
  const title = h("input", { id: titleId, name: "draft-title", maxlength: 200 });
  const previewButton = h("button", { type: "submit", class: "primary" }, t("draft_preview"));
  const status = h("p", { class: "muted", role: "status" });
  const items = h("ol", { class: "draft-items" });
  const addAll = h("button", { type: "button", class: "primary", hidden: true }, t("draft_add_n", { n: 0 }));
  const form = h(
    "form",
    { class: "draft-form" },
    h("div", { class: "field" }, h("label", { for: pasteId }, t("draft_paste")), paste),
    h("div", { class: "field" }, h("label", { for: fileId }, t("draft_file")), file),
    h("div", { class: "field" }, h("label", { for: titleId }, t("draft_title")), title),
    previewButton,
  );
  let sessionId = "";
  let current: Item[] = [];

  const render = (): void => {
    replace(items, ...current.map((item, i) => itemRow(item, i)));
    addAll.hidden = current.length === 0;
    setText(addAll, t("draft_add_n", { n: current.length }));
    setText(status, current.length ? t("draft_items_n", { n: current.length }) : "");
  };

  const itemRow = (item: Item, i: number): HTMLElement => {
    const textId = uid("draft-item");
    const text = h("textarea", { id: textId, rows: 3, class: "draft-item-text" });
    text.value = item.text;
    text.addEventListener("input", () => (item.text = text.value));
    const sourceId = uid("draft-source");
    const source = h("input", { id: sourceId, value: item.source ?? "", class: "draft-item-source" });
    source.addEventListener("input", () => (item.source = source.value || null));
    const button = (label: string, cls: string, action: () => void): HTMLElement => {
      const b = h("button", { type: "button", class: `small ${cls}`, "aria-label": `${label}: ${i + 1}` }, label);
      b.addEventListener("click", () => {
        action();
        render();
      });
      return b;
    };
    const next = current[i + 1];
    const startsSection = i === 0 || current[i - 1]?.section !== item.section;
    return h(
      "li",
      { class: "draft-item" },
      startsSection && item.section ? h("h4", { class: "section-title", dir: "auto" }, item.section) : null,
      h("label", { for: textId, class: "sr-only" }, t("draft_item_n", { n: i + 1 })),
      text,
      h("div", { class: "row" }, h("label", { for: sourceId }, t("source_optional")), source),
      h(
        "div",
        { class: "row" },
        next ? button(t("draft_merge"), "merge", () => merge(i)) : null,
        button(t("draft_split"), "split", () => split(i, text.selectionStart)),
        button(t("draft_drop"), "danger drop", () => current.splice(i, 1)),
      ),
    );
  };

  const merge = (i: number): void => {
    const [first, second] = [current[i], current[i + 1]];
    if (!first || !second) return;
    first.text = `${first.text.trim()} ${second.text.trim()}`;
    current.splice(i + 1, 1);
  };
  // At the cursor, else at the sentence end nearest the middle.
  const split = (i: number, at: number): void => {
    const item = current[i];
    if (!item) return;
    const cut = at > 0 && at < item.text.length ? at : middleSentence(item.text);
    if (cut <= 0) return;
    const [head, tail] = [item.text.slice(0, cut).trim(), item.text.slice(cut).trim()];
    if (!head || !tail) return;
    current.splice(i, 1, { ...item, text: head }, { ...item, text: tail });
  };

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    const body: Blob | null = chosen ?? (paste.value.trim() ? new Blob([paste.value], { type: "text/markdown" }) : null);
    if (!body) return ctx.shell.showError({ code: "bad_request", message: t("draft_nothing") });
    previewButton.disabled = true;
    try {
      const found = await fetchPreview(ctx, sessionId, body, chosen?.name ?? "", title.value.trim());
      if (!found) return;
      current = found.items;
      if (!title.value.trim() && found.title) title.value = found.title;
      render();
    } finally {
      previewButton.disabled = false;
    }
  });

  addAll.addEventListener("click", async () => {
    addAll.disabled = true;
    let added = 0;
    // In order, one command each, so the agenda keeps the draft's order.
    for (const item of [...current]) {
      const ack = await ctx.run("proposition:add", {
        text: item.text,
        ...(item.source ? { source: item.source } : {}),
        ...(item.section ? { section: item.section } : {}),
      });
      if (!ack) break;
      current.shift();
      added += 1;
    }
    addAll.disabled = false;
    render();
    setText(status, t("added_n", { n: added }));
  });

  const el = h(
    "details",
    { class: "panel draft-import" },
    h("summary", {}, h("h2", { id: "h-draft", class: "inline" }, t("draft_heading"))),
    h("p", { class: "muted" }, t("draft_help")),
    form,
    status,
    items,
    addAll,
  );
  return {
    el,
    update(s: Snapshot) {
      sessionId = s.session.session_id;
    },
  };
}

async function fetchPreview(
  ctx: ConsoleContext,
  sessionId: string,
  body: Blob,
  name: string,
  title: string,
): Promise<Preview | null> {
  const query = new URLSearchParams({ name, ...(title ? { title } : {}) });
  try {
    const response = await fetch(`/api/sessions/${encodeURIComponent(sessionId)}/draft?${query}`, {
      method: "POST",
      headers: { Authorization: `Bearer ${ctx.token()}`, "Content-Type": body.type || "application/octet-stream" },
      body,
    });
    const answer = (await response.json().catch(() => null)) as (Preview & { error?: WireError }) | null;
    if (!response.ok || !answer) {
      ctx.shell.showError(answer?.error ?? { code: "internal", message: response.statusText });
      return null;
    }
    return answer;
  } catch {
    ctx.shell.showError({ code: "unavailable", message: t("no_answer") });
    return null;
  }
}

function middleSentence(text: string): number {
  const middle = text.length / 2;
  let best = -1;
  for (const match of text.matchAll(/[.!?;]\s+/g)) {
    const end = (match.index ?? 0) + match[0].length;
    if (best < 0 || Math.abs(end - middle) < Math.abs(best - middle)) best = end;
  }
  return best;
}
