// The speaking-time countdown. The server sends the remaining seconds as of
// sending; a client counts down from its own receipt time, so clocks of
// phones and projector never need to agree.
import { h, setText } from "./dom";
import { t } from "./i18n";
import type { Timer } from "./protocol";

export interface Countdown {
  el: HTMLElement;
  /** Call with every timer the server sends (snapshot or state). */
  set(timer: Timer): void;
}

export function countdown(): Countdown {
  const clock = h("span", { class: "clock", role: "timer", "aria-label": t("countdown") }, "–:––");
  const over = h("span", { class: "overtime", hidden: true }, t("overtime"));
  // A stopped clock must say so in words: a frozen number reads as a broken screen.
  const paused = h("span", { class: "paused", hidden: true }, t("paused"));
  const el = h("div", { class: "countdown" }, clock, over, paused);
  let timer: Timer = { running: false, duration: null, remaining: null };
  let receivedAt = performance.now();

  const render = (): void => {
    setText(paused, t("paused"));
    setText(over, t("overtime"));
    if (timer.remaining === null) {
      setText(clock, "–:––");
      over.hidden = true;
      paused.hidden = true;
      el.classList.remove("is-over", "is-paused");
      return;
    }
    const elapsed = timer.running ? (performance.now() - receivedAt) / 1000 : 0;
    const remaining = timer.remaining - elapsed;
    const isOver = remaining < 0;
    setText(clock, `${isOver ? "+" : ""}${formatSeconds(Math.abs(remaining))}`);
    clock.setAttribute("aria-label", t("countdown"));
    over.hidden = !isOver;
    paused.hidden = timer.running;
    el.classList.toggle("is-over", isOver);
    el.classList.toggle("is-paused", !timer.running);
  };
  window.setInterval(render, 250);

  return {
    el,
    set(next) {
      if (next === timer) return; // unchanged key of a merged patch: keep counting
      timer = next;
      receivedAt = performance.now();
      render();
    },
  };
}

export function formatSeconds(seconds: number): string {
  // Counting down, show 0:01 until a whole second has passed; overtime counts up.
  const whole = Math.max(0, Math.ceil(seconds - 0.001));
  const m = Math.floor(whole / 60);
  const s = whole % 60;
  return `${m}:${String(s).padStart(2, "0")}`;
}
