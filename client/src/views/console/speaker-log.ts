// Who has spoken and for how long: the chair's check that the room, remote
// participants and hubs each had their share of the floor.
import { h, replace, setText } from "../../dom";
import { channelLabel, groupLabel, intentLabel, t } from "../../i18n";
import type { Snapshot, SpeakerTurn } from "../../protocol";
import { speakerName } from "../../speakers";
import { formatSeconds } from "../../timer";
import type { Panel } from "./propositions";

export function speakerLogPanel(): Panel {
  const summary = h("summary", {}, t("speaker_log"));
  const list = h("ol", { class: "speaker-log" });
  const el = h("details", { class: "panel speaker-log-panel" }, summary, list);
  let shown: SpeakerTurn[] | undefined;
  return {
    el,
    update(s: Snapshot) {
      if (s.speaker_log === shown) return;
      shown = s.speaker_log;
      const turns = s.speaker_log ?? [];
      setText(summary, `${t("speaker_log")} (${turns.length})`);
      replace(list, ...turns.map(turnItem));
    },
  };
}

function turnItem(turn: SpeakerTurn): HTMLElement {
  const details = [groupLabel(turn.stakeholder_group), channelLabel(turn.channel), intentLabel(turn.intent)];
  return h(
    "li",
    {},
    h("span", { class: "speaker-name", dir: "auto" }, speakerName(turn)),
    " ",
    h("span", { class: "speaker-details" }, details.join(" · ")),
    turn.duration === null ? null : h("span", { class: "duration" }, ` ${formatSeconds(turn.duration)}`),
  );
}
