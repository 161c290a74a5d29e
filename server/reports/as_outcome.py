"""The published outcome as one self-contained HTML page for people, in the
six UN languages (`?lang=`, else the browser's language).

No scripts, no external resources. Every figure sits in an element whose
`data-figure` names where the report holds it (a path into the report's
JSON, e.g. `propositions/0/rounds/1/by_group/academia/agree_share`) and whose
`data-value` is the figure itself; a merged bucket, absent from the report,
is marked `merged`. So anyone can check the page against the report, and
the tests do. All user text is escaped and direction-isolated.
"""

from datetime import UTC, datetime
from html import escape
from typing import Any, Final
from urllib.parse import quote

from facilitation.vocabulary import SCALE

from .outcome_words import LANGUAGES, WORDS, say
from .words import percent, score

STYLE: Final = """
body { font: 16px/1.5 system-ui, "Segoe UI", Roboto, "Noto Sans", sans-serif; color: #111;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.8em; margin: 0 0 .5rem; } h2 { margin-top: 2rem; border-bottom: 2px solid #333; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem;
        font-variant-numeric: tabular-nums; }
caption { text-align: start; font-weight: 600; padding: .3rem 0; }
th, td { border-bottom: 1px solid #ccc; padding: .2rem .4rem; text-align: end; }
th.l, td.l { text-align: start; }
th { background: #f2f2f2; }
code { font-family: ui-monospace, Menlo, Consolas, monospace; word-break: break-all; }
nav a { margin-inline-end: .8rem; }
.wording { font-size: 1.15em; margin: .4rem 0; }
blockquote { margin: .3rem 0; padding-inline-start: .7rem; border-inline-start: 3px solid #8b1a1a; }
.muted { color: #444; }
"""
LANGUAGE_NAMES: Final = {
    "ar": "العربية",
    "zh": "中文",
    "en": "English",
    "fr": "Français",
    "ru": "Русский",
    "es": "Español",
}
SECTIONS: Final = (
    ("recognised", "recognised"),
    ("no_consensus", "no_consensus_h"),
    ("needs_revision", "needs_revision_h"),
)


def u(text: str | None) -> str:
    return "—" if text is None else f"<bdi>{escape(text, quote=True)}</bdi>"


def figure(path: str, value: Any, shown: str | None = None) -> str:
    text = shown if shown is not None else ("—" if value is None else str(value))
    data = "" if value is None else escape(repr(value) if isinstance(value, float) else str(value))
    return f'<td data-figure="{escape(path)}" data-value="{data}"><bdi>{text}</bdi></td>'


def page(lang: str, title: str, body: str) -> str:
    direction = "rtl" if lang == "ar" else "ltr"
    return (
        f'<!doctype html><html lang="{lang}" dir="{direction}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f"<body>{body}</body></html>\n"
    )


def render(outcome: dict[str, Any], lang: str = "en") -> str:
    session = outcome["session"]
    published = datetime.fromtimestamp(outcome["published_at"], UTC).strftime("%Y-%m-%d %H:%M")
    json_link = f"/outcome/{quote(session['session_id'])}.json"
    parts = [
        _languages(session["session_id"], lang),
        "<main>",
        f"<h1>{escape(say(lang, 'title', title='')).strip()} {u(session['title'])}</h1>",
        f'<p class="muted">{escape(say(lang, "published", when=published))} '
        f'<a href="{escape(json_link)}">{escape(say(lang, "as_json"))}</a></p>',
    ]
    if outcome["note"]:
        parts.append(f"<p>{u(outcome['note'])}</p>")
    for key, heading in SECTIONS:
        parts.append(f"<h2>{escape(say(lang, heading))}</h2>")
        if not outcome[key]:
            parts.append(f'<p class="muted">{escape(say(lang, "none"))}</p>')
        parts += [_proposition(p, outcome["min_group_size"], lang) for p in outcome[key]]
    parts.append(_participation(outcome["participation"], lang))
    parts.append(_verify(outcome, lang))
    parts.append("</main>")
    return page(lang, say(lang, "title", title=session["title"]), "".join(parts))


def gone(message_key: str, lang: str) -> str:
    """The 404 page: the outcome is not (or no longer) published, or no such session."""
    title = say(lang, "gone_title")
    body = f"<main><h1>{escape(title)}</h1><p>{escape(say(lang, message_key))}</p></main>"
    return page(lang, title, body)


def _languages(session_id: str, lang: str) -> str:
    links = "".join(
        f'<a href="?lang={code}" lang="{code}" hreflang="{code}"'
        + (' aria-current="page"' if code == lang else "")
        + f">{LANGUAGE_NAMES[code]}</a>"
        for code in LANGUAGES
    )
    return f'<nav aria-label="{escape(say(lang, "language"))}">{links}</nav>'


def _word(lang: str, key: str) -> str:
    """A vocabulary word; a session's own group name stays as given."""
    return escape(WORDS[lang].get(key) or WORDS["en"].get(key) or key)


def _proposition(p: dict[str, Any], minimum: int, lang: str) -> str:
    parts = [
        f'<section aria-labelledby="p-{escape(p["id"])}">',
        f'<h3 id="p-{escape(p["id"])}">{p["position"]}. {_word(lang, p["status"])}</h3>',
        f'<p class="wording" dir="auto">{u(p["text"])}</p>',
    ]
    for language, text in sorted(p["translations"].items()):
        parts.append(f'<p lang="{escape(language)}" dir="auto" class="wording">{u(text)}</p>')
    if p["chair_note"]:
        parts.append(
            f"<p><strong>{escape(say(lang, 'chair_note'))}</strong> {u(p['chair_note'])}</p>"
        )
    figures = p["figures"]
    if figures is None:
        parts.append(f'<p class="muted">{escape(say(lang, "never_rated"))}</p>')
    else:
        parts.append(_table(p, figures, minimum, lang))
    if p["objections"]:
        parts.append(f"<h4>{escape(say(lang, 'objections'))}</h4>")
        for o in p["objections"]:
            when = escape(say(lang, "objection_round", n=o["round"]))
            parts.append(
                f"<blockquote>{_word(lang, o['value'])} ({when}): {u(o['comment'])}</blockquote>"
            )
    parts.append("</section>")
    return "".join(parts)


def _table(p: dict[str, Any], figures: dict[str, Any], minimum: int, lang: str) -> str:
    source = p["source"]
    columns = [say(lang, "ratings"), *(WORDS[lang][v] for v in SCALE)]
    columns += [say(lang, "agree_share"), say(lang, "score")]
    head = "".join(f'<th scope="col">{escape(c)}</th>' for c in columns)
    # The round's shares are under its `metrics` in the report; a part's, beside its counts.
    rows = [_row(say(lang, "everyone"), source, figures, f"{source}/metrics")]
    kinds = (("by_group", "group"), ("by_channel", "channel"), ("by_timing", "rated"))
    for key, kind in kinds:
        for name, part in figures[key].items():
            title = f"{say(lang, kind)}: {_word(lang, name)}"
            rows.append(_row(title, f"{source}/{key}/{name}", part, escaped=True))
        merged = figures[key + "_merged"]
        if merged is not None:
            rows.append(_row(f"{say(lang, kind)}: {say(lang, 'merged')}", "merged", merged))
    caption = escape(say(lang, "caption", n=p["round"], min=minimum))
    return (
        f"<table><caption>{caption}</caption>"
        f'<thead><tr><th scope="col" class="l">{escape(say(lang, "who"))}</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _row(
    title: str, path: str, part: dict[str, Any], shares: str | None = None, escaped: bool = False
) -> str:
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
    shown = title if escaped else escape(title)
    return f'<tr><th scope="row" class="l">{shown}</th>{"".join(values)}</tr>'


def _participation(taking: dict[str, Any], lang: str) -> str:
    rows = [
        f'<tr><th scope="row" class="l">{escape(say(lang, "everyone"))}</th>'
        f"{figure('participation/joined', taking['joined'])}"
        f"{figure('participation/rated', taking['rated'])}"
        f"{figure('participation/spoke', taking['spoke'])}</tr>"
    ]
    for channel, a in taking["by_channel"].items():
        path = f"participation/by_channel/{channel}"
        rows.append(
            f'<tr><th scope="row" class="l">{_word(lang, channel)}</th>'
            f"{figure(path + '/joined', a['joined'])}{figure(path + '/rated', a['rated'])}"
            f"{figure(path + '/spoke', a['spoke'])}</tr>"
        )
    columns = "".join(
        f'<th scope="col">{escape(say(lang, k))}</th>' for k in ("joined", "rated_n", "spoke")
    )
    hubs = say(lang, "hubs_line", hubs=taking["hubs"], attendance=taking["hub_attendance"])
    return (
        f"<h2>{escape(say(lang, 'participation'))}</h2>"
        f"<table><caption>{escape(say(lang, 'people'))}</caption>"
        f'<thead><tr><th scope="col" class="l">{escape(say(lang, "who"))}</th>'
        f"{columns}</tr></thead><tbody>{''.join(rows)}</tbody></table><p>{escape(hubs)}</p>"
    )


def _verify(outcome: dict[str, Any], lang: str) -> str:
    head = f'<code id="head">{escape(outcome["head"])}</code>'
    text = escape(say(lang, "check_text", head="\0", version=outcome["version"]))
    return (
        f"<h2>{escape(say(lang, 'check'))}</h2>"
        f"<p>{text.replace(chr(0), head)}</p>"
        f'<pre dir="ltr"><code>{escape(outcome["verify"])}</code></pre>'
    )
