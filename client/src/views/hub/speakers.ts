// The hub's speakers: adding one from the room, where each of them stands in
// the queue now (never a stale position), and the turn of the one who has
// the floor, with its countdown and a way to end it.
import type { Connection } from "../../connection";
import { h, replace, setText, uid } from "../../dom";
import { groupLabel, intentLabel, t } from "../../i18n";
import { INTENTS, type Intent, type Snapshot } from "../../protocol";
import type { Shell } from "../../shell";
import { speakerName } from "../../speakers";
import { countdown } from "../../timer";

interface Part {
  el: HTMLElement;
  update(s: Snapshot): void;
}

/** Shown while one of this hub's speakers has the floor. */
export function hubFloor(shell: Shell, connection: Connection): Part {
  const who = h("p", { class: "floor-text" });
  const clock = countdown();
  const done = h("button", { type: "button", class: "secondary" }, t("hub_yield"));
  done.addEventListener("click", async () => {
    done.disabled = true;
    const ack = await connection.command("queue:yield", {}, { retry: true });
    done.disabled = false;
    if (!ack.ok) shell.showError(ack.error);
  });
  const el = h("section", { class: "card hub-floor", role: "status", hidden: true }, who, clock.el, done);
  return {
    el,
    update(s) {
      const current = s.queue.current;
      const ours = current !== null && current.hub_id !== null && current.hub_id === s.hub?.hub_id;
      el.hidden = !ours;
      if (!current || !ours) return;
      setText(who, t("hub_speaker_floor", { name: speakerName(current) }));
      setText(done, t("hub_yield"));
      clock.set(s.timer);
    },
  };
}

export function speakerForm(shell: Shell, connection: Connection): Part {
  const nameId = uid("sp-name");
  const groupId = uid("sp-group");
  const intentId = uid("sp-intent");
  const name = h("input", { id: nameId, required: true, maxlength: 80 });
  const group = h("select", { id: groupId, required: true });
  const intent = h(
    "select",
    { id: intentId },
    ...INTENTS.map((i) => h("option", { value: i, selected: i === "speak" }, intentLabel(i))),
  );
  const status = h("p", { class: "muted", role: "status" });
  const mine = h("ul", { class: "own-speakers" });
  const el = h(
    "form",
    { class: "card speaker-form" },
    h("h2", {}, t("hub_speaker")),
    h("div", { class: "field" }, h("label", { for: nameId }, t("speaker_name")), name),
    h("div", { class: "field" }, h("label", { for: groupId }, t("join_group")), group),
    h("div", { class: "field" }, h("label", { for: intentId }, t("hand_intent")), intent),
    h("button", { type: "submit", class: "primary" }, t("add_speaker")),
    status,
    mine,
  );
  // The last one added: the confirmation follows their place until they have spoken.
  let added: { entryId: string; name: string; position: number } | null = null;
  el.addEventListener("submit", async (event) => {
    event.preventDefault();
    const ack = await connection.command(
      "hub:speaker",
      { name: name.value.trim(), stakeholder_group: group.value, intent: intent.value as Intent },
      { retry: true },
    );
    if (!ack.ok) return shell.showError(ack.error);
    added = { entryId: ack.entry_id, name: name.value.trim(), position: ack.position };
    name.value = "";
    setText(status, t("speaker_added", { n: ack.position }));
  });
  let groups = "";
  return {
    el,
    update(s) {
      const list = s.session.stakeholder_groups;
      if (list.join("\n") !== groups) {
        groups = list.join("\n");
        replace(group, ...list.map((g) => h("option", { value: g }, groupLabel(g))));
      }
      // The hub's own entries come with their positions (`queue.own`): the
      // queue itself is only its head.
      const waiting = (s.queue.own ?? []).map((e) => ({ e, position: e.position }));
      replace(
        mine,
        ...waiting.map(({ e, position }) =>
          h("li", {}, t("own_speaker_at", { name: speakerName(e), n: position })),
        ),
      );
      if (!added) return;
      const position = waiting.find(({ e }) => e.entry_id === added?.entryId)?.position ?? 0;
      if (position === added.position) setText(status, t("speaker_added", { n: position }));
      else if (position > 0) setText(status, t("own_speaker_at", { name: added.name, n: position }));
      else if (s.queue.current?.entry_id === added.entryId) {
        setText(status, t("hub_speaker_floor", { name: added.name }));
      } else setText(status, t("speaker_done", { name: added.name }));
    },
  };
}
