// Diverging stacked agreement bars: disagreement grows left from a centre
// line, agreement right, with neutral and confused set apart so they neither
// pad nor hide either side. Widths are shares of all ratings.
import { h, setText } from "./dom";
import { scaleLabel, t } from "./i18n";
import { SCALE, sumCounts, type Counts, type ScaleKey } from "./protocol";

// Order from the centre outwards on each side.
const LEFT: ScaleKey[] = ["disagree", "strongly_disagree"];
const RIGHT: ScaleKey[] = ["agree", "strongly_agree"];
const APART: ScaleKey[] = ["neutral", "confused"];
/** Left to right as the chart shows them. */
const READING_ORDER: ScaleKey[] = [...LEFT.slice().reverse(), ...RIGHT, ...APART];

/**
 * "full": label and count per value; "counts": swatch and count only (the
 * label is for screen readers), for a view that shows one `scaleLegend`
 * for all its bars; "none": the bar alone.
 */
export type LegendStyle = "full" | "counts" | "none";

export interface DivergingBar {
  el: HTMLElement;
  update(counts: Counts): void;
}

export function divergingBar(legend: LegendStyle = "full"): DivergingBar {
  const segments = new Map<ScaleKey, HTMLElement>();
  const legendValues = new Map<ScaleKey, HTMLElement>();
  const segment = (key: ScaleKey): HTMLElement => {
    const el = h("div", { class: `seg v-${key}`, "data-value": key });
    segments.set(key, el);
    return el;
  };
  // The chart and its legend keep left = disagree in right-to-left languages
  // too: the projector's convention must not flip with the UI language.
  const track = h(
    "div",
    { class: "dbar-track" },
    h("div", { class: "dbar-half neg" }, ...LEFT.map(segment)),
    h("div", { class: "dbar-centre", "aria-hidden": "true" }),
    h("div", { class: "dbar-half pos" }, ...RIGHT.map(segment)),
  );
  const apart = h("div", { class: "dbar-apart", dir: "ltr" }, ...APART.map(segment));
  const legendEl = h("ul", { class: `dbar-legend legend-${legend}`, dir: "ltr" });
  for (const key of READING_ORDER) {
    const value = h("span", { class: "count", "data-count": key }, "0");
    legendValues.set(key, value);
    const label = legend === "full" ? scaleLabel(key) : h("span", { class: "sr-only" }, scaleLabel(key));
    legendEl.append(
      h("li", {}, h("span", { class: `swatch v-${key}`, "aria-hidden": "true" }), label, " ", value),
    );
  }
  const chart = h("div", { class: "dbar-chart", role: "img", dir: "ltr" }, track, apart);
  const el = h("div", { class: "dbar" }, chart, legend === "none" ? null : legendEl);

  return {
    el,
    update(counts) {
      const n = sumCounts(counts);
      for (const key of SCALE) {
        const seg = segments.get(key);
        const share = n === 0 ? 0 : counts[key] / n;
        if (seg) {
          seg.style.width = `${(share * 100).toFixed(2)}%`;
          setText(seg, counts[key] > 0 ? String(counts[key]) : "");
        }
        const legendValue = legendValues.get(key);
        if (legendValue) setText(legendValue, String(counts[key]));
      }
      chart.setAttribute("aria-label", SCALE.map((k) => `${scaleLabel(k)} ${counts[k]}`).join(", "));
      // A number is printed inside its segment only where it fits whole at
      // the bar's own size; the legend beside the bar always carries it.
      window.requestAnimationFrame(() => {
        for (const seg of segments.values()) {
          seg.classList.remove("is-narrow");
          if (seg.textContent && seg.scrollWidth > seg.clientWidth) seg.classList.add("is-narrow");
        }
      });
    },
  };
}

/** The colours and names of the scale, once for a view's many bars. */
export function scaleLegend(): HTMLElement {
  return h(
    "ul",
    { class: "dbar-legend scale-legend", dir: "ltr", "aria-hidden": "true" },
    ...READING_ORDER.map((key) => h("li", {}, h("span", { class: `swatch v-${key}` }), scaleLabel(key))),
  );
}

/** A table of counts per row (stakeholder group or channel). */
export function countsTable(caption: string, rows: [string, Counts][]): HTMLTableElement {
  const head = h(
    "tr",
    {},
    h("th", { scope: "col" }, ""),
    ...SCALE.map((k) => h("th", { scope: "col" }, scaleLabel(k))),
    h("th", { scope: "col" }, t("total")),
  );
  const body = rows.map(([label, counts]) =>
    h(
      "tr",
      {},
      h("th", { scope: "row" }, label),
      ...SCALE.map((k) => h("td", {}, String(counts[k]))),
      h("td", {}, String(sumCounts(counts))),
    ),
  );
  return h(
    "table",
    { class: "counts" },
    h("caption", {}, caption),
    h("thead", {}, head),
    h("tbody", {}, ...body),
  );
}
