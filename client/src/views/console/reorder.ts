// Reordering the agenda to any position: drag a card by its handle onto
// another card, or focus the handle and use the arrow keys, Home and End,
// or type a position. Each is one `proposition:move`.
import { h, uid } from "../../dom";
import { t } from "../../i18n";
import type { Proposition } from "../../protocol";
import type { ConsoleContext } from "./context";

const DRAG_TYPE = "application/x-plenary-proposition";

export interface ReorderControls {
  el: HTMLElement;
  /** `position` is 1-based in the agenda of `count` propositions. */
  update(p: Proposition, position: number, count: number): void;
}

export function reorderControls({ run, shell }: ConsoleContext): ReorderControls {
  let current: Proposition | null = null;
  let position = 1;
  let count = 1;
  const move = async (to: number): Promise<void> => {
    if (!current || to < 1 || to > count || to === position) return;
    if (await run("proposition:move", { proposition_id: current.id, position: to })) {
      shell.announce(t("moved_to", { n: to }));
    }
  };
  const handle = h("button", { type: "button", class: "small drag-handle", draggable: "true" }, "⠿");
  handle.addEventListener("keydown", (event) => {
    const to: Record<string, number> = {
      ArrowUp: position - 1,
      ArrowDown: position + 1,
      Home: 1,
      End: count,
    };
    if (!(event.key in to)) return;
    event.preventDefault();
    void move(to[event.key] ?? position).then(() => handle.focus());
  });
  handle.addEventListener("dragstart", (event) => {
    if (current) event.dataTransfer?.setData(DRAG_TYPE, current.id);
  });
  const inputId = uid("position");
  const input = h("input", {
    id: inputId,
    type: "number",
    min: 1,
    class: "position-input",
    inputmode: "numeric",
  });
  const go = h("button", { type: "submit", class: "small" }, t("move_to"));
  const form = h(
    "form",
    { class: "position-form" },
    h("label", { for: inputId }, t("position_label")),
    input,
    go,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void move(Number(input.value));
  });
  return {
    el: h("span", { class: "reorder" }, handle, form),
    update(p, nextPosition, nextCount) {
      current = p;
      position = nextPosition;
      count = nextCount;
      handle.setAttribute("aria-label", t("reorder_handle", { text: p.text }));
      handle.title = t("reorder_handle", { text: p.text });
      input.max = String(count);
      if (document.activeElement !== input) input.value = String(position);
    },
  };
}

/** Dropping a dragged card on another puts it at that card's position. */
export function acceptDrops(list: HTMLElement, { run, shell }: ConsoleContext): void {
  list.addEventListener("dragover", (event) => {
    if (event.dataTransfer?.types.includes(DRAG_TYPE)) event.preventDefault();
  });
  list.addEventListener("drop", (event) => {
    const id = event.dataTransfer?.getData(DRAG_TYPE);
    const target = (event.target as Element | null)?.closest<HTMLElement>("[data-proposition]");
    if (!id || !target) return;
    event.preventDefault();
    const cards = Array.from(list.querySelectorAll<HTMLElement>(":scope > [data-proposition]"));
    const to = cards.indexOf(target) + 1;
    if (to < 1 || target.dataset.proposition === id) return;
    void run("proposition:move", { proposition_id: id, position: to }).then((ok) => {
      if (ok) shell.announce(t("moved_to", { n: to }));
    });
  });
}
