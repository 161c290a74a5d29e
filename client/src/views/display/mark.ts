// The chair's mark and note as the projector shows them, on the agenda and on
// the one proposition alike: hidden while the proposition is unmarked.
import { setText } from "../../dom";
import { markLabel } from "../../i18n";
import type { Proposition } from "../../protocol";

export function showMark(mark: HTMLElement, note: HTMLElement, p: Proposition): void {
  const marked = p.mark && p.mark.status !== "unmarked" ? p.mark : null;
  mark.hidden = !marked;
  mark.className = `badge mark${marked ? ` mark-${marked.status}` : ""}`;
  if (marked) mark.dataset.mark = marked.status;
  else delete mark.dataset.mark;
  setText(mark, marked ? markLabel(marked.status) : "");
  setText(note, marked?.note ?? "");
  note.hidden = !marked?.note;
}
