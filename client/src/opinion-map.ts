// The opinion map (docs/opinions.md): anonymous points, one marker shape and
// colour per opinion group, so groups are told apart without colour too. The
// server sends points as [x, y, label] with no id; this draws what it is given.
import "./styles/opinions.css";
import { h } from "./dom";
import { t } from "./i18n";
import type { OpinionPoint, Opinions } from "./protocol";

const SVG = "http://www.w3.org/2000/svg";
// Colour-blind safe palette (Okabe–Ito), one per label modulo its length.
const COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9"];
const SIZE = 200;
const PAD = 10;
const R = 3.2;

export function groupColour(label: number | null): string {
  return label === null ? "#8a8a8a" : (COLOURS[(label - 1) % COLOURS.length] ?? "#8a8a8a");
}

/** A marker of `label`'s shape centred on (x, y). */
function marker(label: number | null, x: number, y: number, r: number): SVGElement {
  const shape = label === null ? 0 : (label - 1) % 4;
  let el: SVGElement;
  if (shape === 1) {
    el = document.createElementNS(SVG, "rect");
    el.setAttribute("x", (x - r).toFixed(1));
    el.setAttribute("y", (y - r).toFixed(1));
    el.setAttribute("width", (2 * r).toFixed(1));
    el.setAttribute("height", (2 * r).toFixed(1));
  } else if (shape === 2 || shape === 3) {
    // A triangle, or a diamond.
    const pts =
      shape === 2
        ? [x, y - r * 1.2, x + r * 1.1, y + r * 0.8, x - r * 1.1, y + r * 0.8]
        : [x, y - r * 1.3, x + r * 1.3, y, x, y + r * 1.3, x - r * 1.3, y];
    el = document.createElementNS(SVG, "polygon");
    el.setAttribute("points", pts.map((n) => n.toFixed(1)).join(" "));
  } else {
    el = document.createElementNS(SVG, "circle");
    el.setAttribute("cx", x.toFixed(1));
    el.setAttribute("cy", y.toFixed(1));
    el.setAttribute("r", String(r));
  }
  el.setAttribute("fill", groupColour(label));
  el.setAttribute("fill-opacity", "0.75");
  return el;
}

/** The map as an image with a text alternative and a key of the groups (`compact`: sizes
 * as bare numbers, for the projector's narrow column). */
export function opinionMap(opinions: Opinions, compact = false): HTMLElement {
  const points: OpinionPoint[] = opinions.points;
  const extent = Math.max(1e-9, ...points.map(([x, y]) => Math.max(Math.abs(x), Math.abs(y))));
  const scale = (SIZE / 2 - PAD) / extent;
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("viewBox", `0 0 ${SIZE} ${SIZE}`);
  svg.setAttribute("class", "opinion-svg");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", t("opinion_map_label", { n: points.length, k: opinions.groups.length }));
  for (const [a, b, c, d] of [
    [SIZE / 2, PAD / 2, SIZE / 2, SIZE - PAD / 2],
    [PAD / 2, SIZE / 2, SIZE - PAD / 2, SIZE / 2],
  ]) {
    const axis = document.createElementNS(SVG, "line");
    for (const [name, value] of [
      ["x1", a],
      ["y1", b],
      ["x2", c],
      ["y2", d],
    ] as const)
      axis.setAttribute(name, String(value));
    axis.setAttribute("class", "opinion-axis");
    svg.appendChild(axis);
  }
  for (const [x, y, label] of points) {
    // Screen y grows downwards; the map's second axis points up.
    svg.appendChild(marker(label, SIZE / 2 + x * scale, SIZE / 2 - y * scale, compact ? 2 * R : R));
  }
  const key = h(
    "ul",
    { class: "opinion-legend" },
    ...opinions.groups.map((g) => {
      const swatch = document.createElementNS(SVG, "svg");
      swatch.setAttribute("viewBox", "0 0 12 12");
      swatch.setAttribute("class", "opinion-swatch");
      swatch.setAttribute("aria-hidden", "true");
      swatch.appendChild(marker(g.label, 6, 6, 4.5));
      return h(
        "li",
        { "data-group": g.label },
        swatch,
        compact
          ? ` ${t("opinion_group_n", { n: g.label })}: ${g.size}`
          : ` ${t("opinion_group_n", { n: g.label })} · ${t("opinion_group_size", { n: g.size })}`,
      );
    }),
  );
  return h("figure", { class: "opinion-map" }, svg, key);
}
