// Asking for the floor from a phone: raise or lower a hand with an intent,
// one's place in the queue, and a clear "You have the floor".
import type { Connection } from "../../connection";
import { h, replace, setText } from "../../dom";
import { intentLabel, t } from "../../i18n";
import { INTENTS, type Intent, type Snapshot } from "../../protocol";
import type { Shell } from "../../shell";
import { speakerLine } from "../../speakers";
import { countdown } from "../../timer";
import { ownPlace } from "./place";

/** Brings the "you have the floor" notice into view, and buzzes where the phone can. */
function callToFloor(floor: HTMLElement): void {
  window.requestAnimationFrame(() => {
    floor.scrollIntoView({ block: "center", behavior: "smooth" });
    floor.focus({ preventScroll: true });
  });
  if (typeof navigator.vibrate === "function") navigator.vibrate([200, 100, 200]);
}

export interface HandPanel {
  el: HTMLElement;
  update(s: Snapshot): void;
}

const ENTRY_KEY = `plenary:entry:${location.pathname}`;

function rememberEntry(entryId: string): void {
  try {
    sessionStorage.setItem(ENTRY_KEY, entryId);
  } catch {
    // a reload while speaking then shows the queue instead of the floor notice
  }
}

function rememberedEntry(): string | null {
  try {
    return sessionStorage.getItem(ENTRY_KEY);
  } catch {
    return null;
  }
}

export function handPanel(connection: Connection, shell: Shell): HandPanel {
  const floorText = h("p", { class: "floor-text" }, t("you_have_floor"));
  const clock = countdown();
  const done = h("button", { type: "button", class: "secondary big done" }, t("yield_floor"));
  const floor = h("div", { class: "floor", hidden: true, tabindex: -1 }, floorText, clock.el, done);
  const listClosed = h("p", { class: "list-closed", hidden: true }, t("list_closed_phone"));
  const position = h("p", { class: "position" });
  const speaking = h("p", { class: "now" });
  let intent: Intent = "speak";
  let waiting = false;
  const radios = INTENTS.map((value) => {
    const input = h("input", { type: "radio", name: "intent", value, checked: value === intent });
    input.addEventListener("change", () => {
      intent = value;
      // Raising again keeps one's place and only changes the reason.
      if (waiting) void raiseHand();
    });
    return { value, input, label: h("span", {}, intentLabel(value)) };
  });
  const legend = h("legend", {}, t("hand_intent"));
  const intents = h(
    "fieldset",
    { class: "intents" },
    legend,
    ...radios.map((r) => h("label", { class: "choice" }, r.input, r.label)),
  );
  const raise = h("button", { type: "button", class: "primary big" }, t("hand_raise"));
  const lower = h("button", { type: "button", class: "secondary big", hidden: true }, t("hand_lower"));
  const title = h("h2", {}, t("hand_title"));
  const el = h(
    "section",
    { class: "card hand" },
    title,
    floor,
    speaking,
    position,
    listClosed,
    intents,
    raise,
    lower,
  );

  let wasFloor = false;

  done.addEventListener("click", async () => {
    done.disabled = true;
    const ack = await connection.command("queue:yield", {}, { retry: true });
    done.disabled = false;
    if (!ack.ok) shell.showError(ack.error);
  });

  async function raiseHand(): Promise<void> {
    raise.disabled = true;
    const ack = await connection.command("hand:raise", { intent }, { retry: true });
    raise.disabled = false;
    if (!ack.ok) return shell.showError(ack.error);
    // The entry is ours; where it stands comes from the server's `place` alone,
    // never from the ack's `position`. The server sends a phone its place only
    // when it differs from the one it last sent; a place taken from the ack would
    // be one it never sent, and if the entry left the queue (removed, lowered on
    // another device) before the next update, nothing would ever correct it.
    connection.update((s) => (s.me ? { ...s, me: { ...s.me, entry_id: ack.entry_id } } : s));
  }
  raise.addEventListener("click", () => void raiseHand());
  lower.addEventListener("click", async () => {
    lower.disabled = true;
    const ack = await connection.command("hand:lower", {}, { retry: true });
    lower.disabled = false;
    if (!ack.ok) return shell.showError(ack.error);
    connection.update((s) => (s.me ? { ...s, me: { ...s.me, entry_id: null } } : s));
  });

  return {
    el,
    update(s) {
      const mine = s.me?.entry_id ?? null;
      if (mine !== null) rememberEntry(mine);
      // Given the floor, the entry leaves the queue and the server's `me`
      // forgets it; the id remembered here still recognises the speaker.
      const hasFloor = s.queue.current !== null && s.queue.current.entry_id === (mine ?? rememberedEntry());
      const place = hasFloor ? null : ownPlace(s, mine);
      waiting = place !== null;
      if (hasFloor && !wasFloor) {
        shell.announce(t("announce_floor"), true);
        callToFloor(floor);
        // A point of order or a reply is heard once; the next hand is to speak.
        intent = "speak";
        for (const r of radios) r.input.checked = r.value === intent;
      }
      wasFloor = hasFloor;
      if (hasFloor) clock.set(s.timer);
      setText(done, t("yield_floor"));
      setText(floorText, t("you_have_floor"));
      const closed = Boolean(s.queue.closed) && !waiting && !hasFloor;
      listClosed.hidden = !closed;
      setText(listClosed, t("list_closed_phone"));
      raise.disabled = closed;

      setText(title, t("hand_title"));
      setText(legend, t("hand_intent"));
      for (const r of radios) setText(r.label, intentLabel(r.value));
      floor.hidden = !hasFloor;
      el.classList.toggle("has-floor", hasFloor);
      el.classList.toggle("is-waiting", waiting);
      setText(position, place ? t("queue_position", { n: place.position }) : "");
      position.hidden = !waiting;
      const current = s.queue.current;
      if (current && !hasFloor) replace(speaking, t("speaking_now"), ": ", speakerLine(current));
      else replace(speaking);
      speaking.hidden = !current || hasFloor;
      if (place) {
        if (document.activeElement?.getAttribute("name") !== "intent") {
          intent = place.intent;
          for (const r of radios) r.input.checked = r.value === intent;
        }
      }
      intents.hidden = hasFloor;
      setText(raise, t("hand_raise"));
      raise.hidden = hasFloor || waiting;
      setText(lower, t("hand_lower"));
      lower.hidden = !waiting;
    },
  };
}
