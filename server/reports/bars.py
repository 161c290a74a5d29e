"""Diverging agreement bars as inline SVG, the projector's picture on paper.

Disagree grows left of the centre line and agree right of it; neutral and
confused sit apart in their own lane, so they neither pad agreement nor hide
opposition. One scale for both lanes: the whole width of a lane is 100% of
the ratings, so bars of different rounds and groups compare by eye. The SVG
carries only numbers and our own labels, never user text.
"""

from collections.abc import Mapping
from typing import Final

from .words import label, percent

COLORS: Final[dict[str, str]] = {
    # A blue-red diverging scheme, readable with the common colour blindnesses.
    "strongly_agree": "#2166ac",
    "agree": "#92c5de",
    "neutral": "#c8c8c8",
    "disagree": "#f4a582",
    "strongly_disagree": "#b2182b",
    "confused": "#8e6bbf",
}
LANE: Final = "#f2f2f2"


def bar(
    counts: Mapping[str, int], width: int = 600, height: int = 22, captions: bool = True
) -> str:
    """One round's (or one group's) distribution; `captions` adds the shares below."""
    n = sum(counts.values())
    gap = width / 40
    unit = (width - gap) / 3  # 100% of the ratings spans one unit
    total_height = height + (16 if captions else 0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total_height}" '
        f'viewBox="0 0 {width} {total_height}" role="img" aria-label="{_summary(counts, n)}">',
        f"<title>{_summary(counts, n)}</title>",
        _rect(0, 2 * unit, height, LANE),
        _rect(2 * unit + gap, unit, height, LANE),
    ]
    if n:
        parts += _segments(counts, n, unit, gap, height)
    parts.append(
        f'<line x1="{unit:.1f}" y1="0" x2="{unit:.1f}" y2="{height}" '
        'stroke="#333" stroke-width="1.5"/>'
    )
    if captions:
        parts += _captions(counts, n, unit, gap, height)
    parts.append("</svg>")
    return "".join(parts)


def swatch(value: str, size: int = 12) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'aria-hidden="true">{_rect(0, size, size, COLORS[value])}</svg>'
    )


def _segments(counts: Mapping[str, int], n: int, unit: float, gap: float, height: int) -> list[str]:
    found = []
    x = unit
    for key in ("agree", "strongly_agree"):
        w = unit * counts[key] / n
        found.append(_rect(x, w, height, COLORS[key], _tip(key, counts[key], n)))
        x += w
    x = unit
    for key in ("disagree", "strongly_disagree"):
        w = unit * counts[key] / n
        x -= w
        found.append(_rect(x, w, height, COLORS[key], _tip(key, counts[key], n)))
    x = 2 * unit + gap
    for key in ("neutral", "confused"):
        w = unit * counts[key] / n
        found.append(_rect(x, w, height, COLORS[key], _tip(key, counts[key], n)))
        x += w
    return found


def _captions(counts: Mapping[str, int], n: int, unit: float, gap: float, height: int) -> list[str]:
    def share(*keys: str) -> str:
        return percent(sum(counts[k] for k in keys) / n) if n else "—"

    y = height + 12
    style = 'font-family="sans-serif" font-size="11" fill="#333"'
    return [
        f'<text x="0" y="{y}" {style}>Oppose {share("disagree", "strongly_disagree")}</text>',
        f'<text x="{2 * unit:.1f}" y="{y}" text-anchor="end" {style}>'
        f"Agree {share('agree', 'strongly_agree')}</text>",
        f'<text x="{2 * unit + gap:.1f}" y="{y}" {style}>'
        f"Neutral {share('neutral')} · Confused {share('confused')}</text>",
    ]


def _rect(x: float, w: float, h: int, fill: str, tip: str = "") -> str:
    inner = f"<title>{tip}</title>" if tip else ""
    return f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="{h}" fill="{fill}">{inner}</rect>'


def _tip(key: str, count: int, n: int) -> str:
    return f"{label(key)}: {count} ({percent(count / n)})"


def _summary(counts: Mapping[str, int], n: int) -> str:
    if n == 0:
        return "No ratings"
    return f"{n} ratings: " + ", ".join(
        f"{label(k)} {percent(counts[k] / n)}" for k in COLORS if counts[k]
    )
