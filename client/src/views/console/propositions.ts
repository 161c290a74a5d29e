// The propositions panel: add one or paste many (one per line), then a card
// per proposition, open ones first so the chair sees what is live.
import { h, setText, syncList, uid } from "../../dom";
import { t } from "../../i18n";
import type { Snapshot } from "../../protocol";
import type { ConsoleContext } from "./context";
import { propositionCard, type PropositionCard } from "./proposition-card";
import { acceptDrops } from "./reorder";
import { translationsImport } from "./translations";

export interface Panel {
  el: HTMLElement;
  update(s: Snapshot): void;
}

export function propositionsPanel(ctx: ConsoleContext): Panel {
  const textId = uid("new-props");
  const sourceId = uid("source");
  const textarea = h("textarea", { id: textId, rows: 3, name: "propositions" });
  const source = h("input", { id: sourceId, name: "source", maxlength: 200 });
  const added = h("span", { class: "muted", role: "status" });
  const submit = h("button", { type: "submit", class: "primary" }, t("add"));
  const form = h(
    "form",
    { class: "add-form" },
    h("div", { class: "field" }, h("label", { for: textId }, t("add_propositions")), textarea),
    h("div", { class: "row" }, h("label", { for: sourceId }, t("source_optional")), source, submit, added),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const lines = textarea.value
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter(Boolean);
    if (lines.length === 0) return;
    submit.disabled = true;
    let count = 0;
    // In order, one command per line, so the list keeps the pasted order.
    for (const text of lines) {
      const ok = await ctx.run("proposition:add", {
        text,
        ...(source.value.trim() ? { source: source.value.trim() } : {}),
      });
      if (!ok) break;
      count += 1;
    }
    submit.disabled = false;
    textarea.value = lines.slice(count).join("\n");
    setText(added, t("added_n", { n: count }));
  });

  const list = h("div", { class: "prop-list" });
  acceptDrops(list, ctx);
  // With a long agenda the open proposition is one click away.
  const jump = h("button", { type: "button", class: "small jump-open", hidden: true }, t("jump_open"));
  jump.addEventListener("click", () => {
    const open = list.querySelector<HTMLElement>("article.is-open");
    open?.scrollIntoView({ block: "start", behavior: "smooth" });
    open?.querySelector<HTMLElement>("button.primary")?.focus({ preventScroll: true });
  });
  const empty = h("p", { class: "muted" }, t("no_propositions"));
  const el = h(
    "section",
    { class: "panel propositions", "aria-labelledby": "h-props" },
    h("h2", { id: "h-props" }, t("propositions")),
    form,
    translationsImport(ctx),
    jump,
    empty,
    list,
  );
  const cards = new Map<string, PropositionCard>();

  return {
    el,
    update(s) {
      empty.hidden = s.propositions.length > 0;
      jump.hidden = !s.propositions.some((p) => p.status === "open");
      // The agenda's order is the server's; the chair changes it with move up/down.
      const count = s.propositions.length;
      for (const title of list.querySelectorAll(".section-title")) title.remove();
      syncList(
        list,
        s.propositions,
        (p) => p.id,
        (p) => propositionCard(p, ctx),
        (c, p) => c.update(p, s.propositions.indexOf(p) + 1, count),
        cards,
      );
      sectionTitles(list, s.propositions, cards);
    },
  };
}

/** A section's title above the first of its propositions (a draft's headings). */
function sectionTitles(list: HTMLElement, props: Snapshot["propositions"], cards: Map<string, PropositionCard>): void {
  props.forEach((p, i) => {
    const card = cards.get(p.id);
    if (!p.section || !card || props[i - 1]?.section === p.section) return;
    list.insertBefore(h("h3", { class: "section-title", dir: "auto" }, p.section), card.el);
  });
}
