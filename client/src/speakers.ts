// One queue entry as words: the name people gave (or their group), where
// they are, and why they asked for the floor.
import { h } from "./dom";
import { channelLabel, groupLabel, intentLabel } from "./i18n";
import type { QueueEntry } from "./protocol";

export function speakerName(entry: QueueEntry): string {
  return entry.name || groupLabel(entry.stakeholder_group);
}

export function speakerDetails(entry: QueueEntry): string {
  return [groupLabel(entry.stakeholder_group), channelLabel(entry.channel), intentLabel(entry.intent)].join(
    " · ",
  );
}

export function speakerLine(entry: QueueEntry): HTMLElement {
  return h(
    "span",
    { class: `speaker intent-${entry.intent}` },
    h("span", { class: "speaker-name", dir: "auto" }, speakerName(entry)),
    " ",
    h("span", { class: "speaker-details" }, speakerDetails(entry)),
  );
}
