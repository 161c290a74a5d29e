// One queue entry as words: the name people gave (or their group), where
// they are, and why they asked for the floor.
import { h } from "./dom";
import { channelLabel, groupLabel, intentLabel } from "./i18n";
import type { QueueEntry } from "./protocol";

interface Named {
  name: string | null;
  stakeholder_group: string;
}

/**
 * The name a person gave, else their group's label. The server records an
 * unnamed speaker under their group's key (e.g. `technical_community`),
 * which is never shown as it is.
 */
export function speakerName(entry: Named): string {
  return entry.name && entry.name !== entry.stakeholder_group ? entry.name : groupLabel(entry.stakeholder_group);
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
