// What changed between two snapshots, in words for a screen reader: a
// proposition opened, results revealed, a consensus mark, a new speaker.
import { markLabel, t } from "./i18n";
import type { Snapshot } from "./protocol";
import { speakerName } from "./speakers";

export function describeChanges(previous: Snapshot | null, next: Snapshot): string[] {
  if (!previous) return [];
  const said: string[] = [];
  const before = new Map(previous.propositions.map((p) => [p.id, p]));
  for (const p of next.propositions) {
    const old = before.get(p.id);
    if (p.status === "open" && (old?.status !== "open" || old.round !== p.round)) {
      said.push(t("announce_new_open", { text: p.text }));
    }
    if (p.revealed && old && !old.revealed) said.push(t("announce_revealed", { text: p.text }));
    if (p.mark && p.mark.status !== "unmarked" && p.mark.status !== old?.mark?.status) {
      said.push(t("announce_marked", { mark: markLabel(p.mark.status), text: p.text }));
    }
  }
  const speaker = next.queue.current;
  if (speaker && speaker.entry_id !== previous.queue.current?.entry_id) {
    said.push(t("announce_speaker", { name: speakerName(speaker) }));
  }
  return said;
}
