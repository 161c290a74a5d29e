// The projector (`/display#token=…`): read from the back of the hall, no
// interaction. Bars per live proposition (the distribution only once
// revealed; before that, just how many have rated), consensus badges, the
// speaker with a countdown, who is next, and how to join.
import "../styles/display.css";
import { divergingBar, scaleLegend, type DivergingBar } from "../bars";
import { h, replace, setText, syncList } from "../dom";
import { markLabel, t } from "../i18n";
import { openLinkedView, renderSnapshots } from "../linked-view";
import { latestRound, type Proposition, type Snapshot } from "../protocol";
import { speakerDetails, speakerName } from "../speakers";
import { countdown } from "../timer";
import { projectorLanguages, showText, textIn } from "../wording";
import { displayOpinions } from "./display-opinions";

// Three propositions are what stays legible on a 720p projector.
const MAX_SHOWN = 3;
const NEXT_SHOWN = 4;

export function start(): void {
  document.documentElement.classList.add("view-display");
  const view = openLinkedView("view-display", "Plenary");
  if (!view) return;
  renderSnapshots(view, () => {
    const renderDisplay = mountDisplay(view.shell.main);
    return (s) => {
      view.shell.setTitle(s.session.title);
      renderDisplay(s);
    };
  });
}

function mountDisplay(main: HTMLElement): (s: Snapshot) => void {
  const cards = h("div", { class: "cards" });
  const legend = scaleLegend();
  const empty = h("p", { class: "empty" }, t("no_propositions"));
  const speakerEl = h("p", { class: "speaker-big", dir: "auto" });
  const speakerInfo = h("p", { class: "speaker-info" });
  const clock = countdown();
  const nextList = h("ol", { class: "next-list" });
  const nobodyWaiting = h("p", { class: "empty-queue" }, t("queue_empty"));
  const qr = h("img", { class: "qr", alt: t("qr_alt") });
  const code = h("p", { class: "code" });
  const joinUrl = h("p", { class: "join-url" });
  const participation = h("p", { class: "participation" });
  const head = h("p", { class: "head" });
  const opinions = displayOpinions(); // the opinion map, once results are public
  replace(
    main,
    h(
      "div",
      { class: "display-grid" },
      h("section", { class: "props", "aria-label": t("propositions") }, empty, legend, cards),
      h(
        "aside",
        { class: "side" },
        h(
          "section",
          { class: "now", "aria-labelledby": "h-now" },
          h("h2", { id: "h-now" }, t("speaking_now")),
          speakerEl,
          speakerInfo,
          clock.el,
        ),
        h(
          "section",
          { class: "next", "aria-labelledby": "h-next" },
          h("h2", { id: "h-next" }, t("next_speakers")),
          nextList,
          nobodyWaiting,
        ),
        opinions.el,
        h(
          "section",
          { class: "join", "aria-labelledby": "h-join" },
          h("h2", { id: "h-join" }, t("join_at")),
          qr,
          code,
          joinUrl,
        ),
      ),
    ),
    h("footer", { class: "foot" }, participation, head),
  );
  const widgets = new Map<string, DisplayCard>();

  return (s) => {
    const shown = pickShown(s.propositions);
    empty.hidden = shown.length > 0;
    legend.hidden = !shown.some((p) => latestRound(p)?.counts);
    cards.dataset.count = String(shown.length);
    syncList(
      cards,
      shown,
      (p) => p.id,
      displayCard,
      (card, p) => card.update(p, s.session.languages),
      widgets,
    );

    opinions.update(s);
    const current = s.queue.current;
    setText(speakerEl, current ? speakerName(current) : t("nobody_speaking"));
    setText(speakerInfo, current ? speakerDetails(current) : "");
    clock.set(s.timer);
    clock.el.hidden = !current && s.timer.remaining === null;
    const next = s.queue.entries.slice(0, NEXT_SHOWN);
    replace(
      nextList,
      ...next.map((e) =>
        h(
          "li",
          {},
          h("span", { class: "speaker-name", dir: "auto" }, speakerName(e)),
          " ",
          h("span", { class: "speaker-details" }, speakerDetails(e)),
        ),
      ),
    );
    nextList.hidden = next.length === 0;
    nobodyWaiting.hidden = next.length > 0;

    const src = `/api/join/${encodeURIComponent(s.session.join_code)}/qr.svg`;
    if (qr.getAttribute("src") !== src) qr.src = src;
    setText(code, s.session.join_code);
    setText(joinUrl, new URL(s.session.join_url, location.origin).href);
    if (s.participation) setText(participation, t("participation", { ...s.participation }));
    // The room witnesses the log head once something is settled.
    const settled = s.propositions.some(
      (p) => p.status === "closed" || (p.mark && p.mark.status !== "unmarked"),
    );
    setText(head, s.head && settled ? t("log_head", { head: s.head }) : "");
  };
}

/** Open propositions first, then the most recently added closed ones. */
function pickShown(props: Proposition[]): Proposition[] {
  const open = props.filter((p) => p.status === "open");
  const closed = props.filter((p) => p.status === "closed").reverse();
  return [...open, ...closed].slice(0, MAX_SHOWN);
}

interface DisplayCard {
  el: HTMLElement;
  update(p: Proposition, languages: readonly string[]): void;
}

function displayCard(p: Proposition): DisplayCard {
  const status = h("span", { class: "status" });
  const mark = h("span", { class: "badge mark" });
  const text = h("h2", { class: "prop-text", dir: "auto" });
  const also = h("p", { class: "prop-also", dir: "auto" });
  const rated = h("p", { class: "rated" });
  const bar: DivergingBar = divergingBar("counts");
  const waiting = h("p", { class: "waiting" });
  const el = h(
    "article",
    { class: "dcard", "data-proposition": p.id },
    h("div", { class: "dcard-top" }, status, mark, rated),
    text,
    also,
    bar.el,
    waiting,
  );
  return {
    el,
    update(next, languages) {
      const round = latestRound(next);
      const total = round?.total ?? 0;
      setText(
        status,
        next.round > 1
          ? `${t(`status_${next.status}`)} · ${t("round_n", { n: next.round })}`
          : t(`status_${next.status}`),
      );
      el.classList.toggle("is-open", next.status === "open");
      const marked = next.mark && next.mark.status !== "unmarked" ? next.mark.status : null;
      mark.hidden = !marked;
      mark.className = `badge mark${marked ? ` mark-${marked}` : ""}`;
      if (marked) mark.dataset.mark = marked;
      else delete mark.dataset.mark;
      setText(mark, marked ? markLabel(marked) : "");
      // The session's main language, and one more if the link asks for it.
      const [main, second] = projectorLanguages(languages);
      showText(text, textIn(next, main));
      const other = second ? textIn(next, second) : null;
      also.hidden = !other?.lang;
      if (other?.lang) showText(also, other);
      setText(rated, t("rated_n", { n: total }));
      bar.el.hidden = !round?.counts;
      if (round?.counts) bar.update(round.counts);
      // Before the reveal the count is the card's one big number.
      waiting.hidden = Boolean(round?.counts);
      rated.hidden = !waiting.hidden;
      setText(waiting, t("waiting_reveal", { n: total }));
    },
  };
}
