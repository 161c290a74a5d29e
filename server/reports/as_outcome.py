"""The published outcome as one self-contained HTML page for people.

No scripts, no external resources. Every figure sits in an element whose
`data-figure` names where the report holds it (a path into the report's
JSON, e.g. `propositions/0/rounds/1/by_group/academia/agree_share`) and whose
`data-value` is the figure itself; a merged bucket, absent from the report,
is marked `merged`. So anyone can check the page against the report, and
the tests do. All user text is escaped and direction-isolated.
"""

from html import escape
from typing import Any, Final

from facilitation.vocabulary import SCALE

from .words import label, percent, score, when

STYLE: Final = """
body { font: 16px/1.5 system-ui, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: #111;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.8em; margin: 0 0 .5rem; } h2 { margin-top: 2rem; border-bottom: 2px solid #333; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem;
        font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: .3rem 0; }
th, td { border-bottom: 1px solid #ccc; padding: .2rem .4rem; text-align: right; }
th.l, td.l { text-align: left; }
th { background: #f2f2f2; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; word-break: break-all; }
.wording { font-size: 1.15em; margin: .4rem 0; }
blockquote { margin: .3rem 0; padding-left: .7rem; border-left: 3px solid #8b1a1a; }
.muted { color: #444; }
"""
COLUMNS: Final = ("total", *SCALE, "agree_share", "agreement_score")
WORDS: Final = {
    "total": "Ratings",
    "agree_share": "Agree share",
    "agreement_score": "Score (-10 to +10)",
    "live": "in the live hour",
    "window": "outside the live hour",
}


def word(key: str) -> str:
    return WORDS.get(key) or label(key)


def u(text: str | None) -> str:
    return "—" if text is None else f"<bdi>{escape(text, quote=True)}</bdi>"


def figure(path: str, value: Any, shown: str | None = None) -> str:
    text = shown if shown is not None else ("—" if value is None else str(value))
    data = "" if value is None else escape(repr(value) if isinstance(value, float) else str(value))
    return f'<td data-figure="{escape(path)}" data-value="{data}">{text}</td>'


def render(outcome: dict[str, Any]) -> str:
    session = outcome["session"]
    parts = [
        '<!doctype html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>Outcome: {escape(session['title'])}</title><style>{STYLE}</style></head>",
        "<body><main>",
        f"<h1>Outcome: {u(session['title'])}</h1>",
        f'<p class="muted">Published {escape(when(outcome["published_at"]))}. '
        f'<a href="/outcome/{escape(session["session_id"])}.json">This outcome as JSON</a>.</p>',
    ]
    if outcome["note"]:
        parts.append(f"<p>{u(outcome['note'])}</p>")
    titles = (
        ("recognised", "Recognised as rough consensus"),
        ("no_consensus", "No consensus"),
        ("needs_revision", "Needs revision"),
    )
    for key, title in titles:
        parts.append(f"<h2>{title}</h2>")
        items = outcome[key]
        if not items:
            parts.append('<p class="muted">None.</p>')
        parts += [_proposition(p, outcome["min_group_size"]) for p in items]
    parts.append(_participation(outcome["participation"]))
    parts.append(_verify(outcome))
    parts.append("</main></body></html>\n")
    return "".join(parts)


def _proposition(p: dict[str, Any], minimum: int) -> str:
    parts = [
        f'<section aria-labelledby="p-{escape(p["id"])}">',
        f'<h3 id="p-{escape(p["id"])}">{p["position"]}. {escape(label(p["status"]))}</h3>',
        f'<p class="wording">{u(p["text"])}</p>',
    ]
    for language, text in sorted(p["translations"].items()):
        parts.append(f'<p lang="{escape(language)}" class="wording">{u(text)}</p>')
    if p["chair_note"]:
        parts.append(f"<p><strong>Chair's note:</strong> {u(p['chair_note'])}</p>")
    figures = p["figures"]
    if figures is None:
        parts.append('<p class="muted">Never rated.</p>')
    else:
        parts.append(_table(p, figures, minimum))
    if p["objections"]:
        parts.append("<h4>Objections weighed</h4>")
        parts += [
            f"<blockquote>{escape(label(o['value']))} (round {o['round']}): "
            f"{u(o['comment'])}</blockquote>"
            for o in p["objections"]
        ]
    parts.append("</section>")
    return "".join(parts)


def _table(p: dict[str, Any], figures: dict[str, Any], minimum: int) -> str:
    source = p["source"]
    head = "".join(f'<th scope="col">{escape(word(c))}</th>' for c in COLUMNS)
    # The round's shares are under its `metrics` in the report; a part's, beside its counts.
    rows = [_row("Everyone", source, figures, f"{source}/metrics")]
    for key, kind in (("by_group", "Group"), ("by_channel", "Channel"), ("by_timing", "Rated")):
        for name, part in figures[key].items():
            rows.append(_row(f"{kind}: {word(name)}", f"{source}/{key}/{name}", part))
        merged = figures[key + "_merged"]
        if merged is not None:
            rows.append(_row(f"{kind}: others, merged", "merged", merged))
    return (
        f"<table><caption>Round {p['round']}: support (parts with fewer than {minimum} "
        "raters are merged, so nobody's rating can be read)</caption>"
        f'<thead><tr><th scope="col" class="l">Who</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _row(title: str, path: str, part: dict[str, Any], shares: str | None = None) -> str:
    shares = shares or path
    values = (
        [figure(f"{path}/total", part["total"])]
        + [figure(f"{path}/counts/{v}", part["counts"][v]) for v in SCALE]
        + [
            figure(f"{shares}/agree_share", part["agree_share"], percent(part["agree_share"])),
            figure(
                f"{shares}/agreement_score",
                part["agreement_score"],
                score(part["agreement_score"]),
            ),
        ]
    )
    return f'<tr><th scope="row" class="l">{escape(title)}</th>{"".join(values)}</tr>'


def _participation(taking: dict[str, Any]) -> str:
    rows = [
        f'<tr><th scope="row" class="l">Everyone</th>'
        f"{figure('participation/joined', taking['joined'])}"
        f"{figure('participation/rated', taking['rated'])}"
        f"{figure('participation/spoke', taking['spoke'])}</tr>"
    ]
    for channel, a in taking["by_channel"].items():
        path = f"participation/by_channel/{channel}"
        rows.append(
            f'<tr><th scope="row" class="l">{escape(label(channel))}</th>'
            f"{figure(path + '/joined', a['joined'])}{figure(path + '/rated', a['rated'])}"
            f"{figure(path + '/spoke', a['spoke'])}</tr>"
        )
    return (
        "<h2>Participation</h2><table><caption>People</caption>"
        '<thead><tr><th scope="col" class="l">Who</th><th scope="col">Joined</th>'
        '<th scope="col">Rated</th><th scope="col">Spoke</th></tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
        f"<p>Remote hubs: {taking['hubs']}, with {taking['hub_attendance']} people attending.</p>"
    )


def _verify(outcome: dict[str, Any]) -> str:
    return (
        "<h2>Check it</h2>"
        f"<p>This outcome was built from the session's log at head "
        f'<code id="head">{escape(outcome["head"])}</code> '
        f"({outcome['version']} events). Anyone holding a copy of the server's data "
        "directory can check that the log leads to this head and recompute every figure:</p>"
        f"<pre><code>{escape(outcome['verify'])}</code></pre>"
    )
