"""Render a run's JSON as the Markdown tables the harness prints and saves."""

from __future__ import annotations

from typing import Any

from bench.figures import Figures

Json = dict[str, Any]
TARGET_LABELS = {
    "plenary": "Plenary",
    "bare": "bare python-socketio",
    "node": "Node socket.io",
    "redis": "Plenary on Redis",
}
BURST_ROWS = (
    ("acked", "ratings acked", "{:.0f}"),
    ("failed", "ratings not acked", "{:.0f}"),
    ("ack_p50_ms", "ack latency p50 (ms)", "{:.1f}"),
    ("ack_p95_ms", "ack latency p95 (ms)", "{:.1f}"),
    ("ack_p99_ms", "ack latency p99 (ms)", "{:.1f}"),
    ("ack_max_ms", "ack latency max (ms)", "{:.1f}"),
    ("burst_ms", "first send to last ack (ms)", "{:.1f}"),
    ("display_total", "display's final total", "{:.0f}"),
    ("final_tally_after_last_ack_ms", "final tally on display after last ack (ms)", "{:.1f}"),
    ("participants_state_messages", "`state` messages to participants", "{:.0f}"),
    ("server_cpu_s", "server CPU (s)", "{:.2f}"),
    ("cpu_per_rating_ms", "server CPU per rating (ms)", "{:.3f}"),
    ("peak_memory_per_connection_kb", "peak memory per connection (KB)", "{:.1f}"),
    ("memory_per_connection_kb", "memory per connection, RSS growth (KB)", "{:.1f}"),
    ("generator_cpu_s", "load generator CPU (s)", "{:.2f}"),
    ("redis_cpu_s", "redis-server CPU (s)", "{:.2f}"),
    ("lost", "acked ratings missing from the log (all runs)", "{:.0f}"),
    ("applied_twice", "request_ids applied twice (all runs)", "{:.0f}"),
)


def fmt(value: float | None, pattern: str = "{:.2f}") -> str:
    return "n/a" if value is None else pattern.format(value)


def table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def render(report: Json) -> str:
    parts = [render_meta(report)]
    renderers = {
        "burst": lambda found: render_scale(found, report["settings"]),
        "session": render_sessions,
        "takeover": render_takeover,
        "restart": render_restart,
        "core": render_core,
    }
    for name, render_one in renderers.items():
        if name in report and "error" in report[name]:
            parts.append(f"## {name.capitalize()}\n\nFailed: {report[name]['error']}")
        elif name in report:
            parts.append(render_one(report[name]))
    parts.append(render_targets(report.get("targets", [])))
    return "\n\n".join(parts) + "\n"


def render_meta(report: Json) -> str:
    m = report["machine"]
    settings = report["settings"]
    scale_out = (
        f"Target `redis`: one redis-server (AOF, `appendfsync always`, `noeviction`) and "
        f"{settings['workers']} `plenary serve --redis` worker(s), each on its own port; "
        "phones dealt over every worker, the display on a worker that does not own the "
        "session. CPU and memory are the workers' summed.\n"
        if settings.get("redis")
        else ""
    )
    return (
        f"# Plenary benchmark, {m['date']}\n\n"
        + scale_out
        + f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB, Linux {m['kernel']}; "
        f"Python {m['python']}, Node {m['node']}; commit {m['commit']}; "
        f"1-minute load average {m['load_average_at_start']:.2f} at start, "
        f"{m.get('load_average_at_end', -1.0):.2f} at end (other work on this shared machine).\n"
        f"Command: `{report['command']}`"
    )


SCALE_COLUMNS = (
    ("ack_p50_ms", "ack p50 (ms)", "{:.1f}"),
    ("ack_p99_ms", "ack p99 (ms)", "{:.1f}"),
    ("cpu_per_rating_ms", "CPU per rating (ms)", "{:.3f}"),
    ("memory_per_connection_kb", "memory per connection (KB)", "{:.1f}"),
)


def render_scale(scale: Json, settings: Json) -> str:
    """Every size's burst table, then the curve across sizes and the memory over bursts."""
    parts = [render_burst(burst, settings) for burst in scale["by_n"].values()]
    if not settings.get("redis"):  # the curve compares Plenary with the baselines
        parts.append(render_curve(scale))
    if "memory_bursts" in scale:
        parts.append(render_memory_bursts(scale["memory_bursts"]))
    return "\n\n".join(parts)


def render_curve(scale: Json) -> str:
    header = ["n", "target", *(label for _, label, _ in SCALE_COLUMNS)]
    header += ["p99 / bare", "p99 / Node", "CPU per rating / bare", "memory / bare"]
    rows = []
    for n, burst in scale["by_n"].items():
        ratios = burst["ratios"]
        for name, figures in burst["median"].items():
            row = [n, TARGET_LABELS[name]]
            row += [fmt(figures.get(key), pattern) for key, _, pattern in SCALE_COLUMNS]
            if name == "plenary":
                bare, node = ratios.get("plenary/bare", {}), ratios.get("plenary/node", {})
                row += [fmt(bare.get("ack_p99_ms")), fmt(node.get("ack_p99_ms"))]
                row += [fmt(bare.get("cpu_per_rating_ms"))]
                row += [fmt(bare.get("memory_per_connection_kb"))]
            else:
                row += ["", "", "", ""]
            rows.append(row)
    intro = (
        "## Scale curve: the burst at each size\n\n"
        "Medians per size and target; ratios are Plenary's over each baseline's at the same size."
    )
    return intro + "\n\n" + table(header, rows)


def render_memory_bursts(memory: Json) -> str:
    if "error" in memory:
        return f"## Memory after bursts in a row\n\nFailed: {memory['error']}"
    setups = memory.get("setup") or [{} for _ in memory["acked"]]
    rows = [
        [
            str(number),
            fmt(kb / 1024, "{:.1f}"),
            str(acked),
            fmt(setup.get("join_ms") and setup["join_ms"] / 1000, "{:.1f}"),
            fmt(setup.get("connect_ms") and setup["connect_ms"] / 1000, "{:.1f}"),
        ]
        for number, (kb, acked, setup) in enumerate(
            zip(memory["rss_after_kb"], memory["acked"], setups, strict=True), 1
        )
    ]
    intro = (
        f"## Memory after bursts in a row: one Plenary process, {memory['n']} new phones "
        "and a new session each time\n\n"
        f"{memory.get('pause_seconds', 0):g} s between one burst's phones leaving and the "
        "next burst's joining.\n"
        f"Server RSS after the last burst over after the first: "
        f"{fmt(memory['last_over_first'], '{:.3f}')}."
    )
    header = ["burst", "server RSS after (MiB)", "ratings acked", "joins (s)", "connects (s)"]
    return intro + "\n\n" + table(header, rows)


def render_burst(burst: Json, settings: Json) -> str:
    medians: dict[str, Figures] = burst["median"]
    names = list(medians)
    ratios: dict[str, Figures] = burst["ratios"]
    header = ["figure", *(TARGET_LABELS[n] for n in names), *ratios]
    rows = []
    for key, label, pattern in BURST_ROWS:
        row = [label, *(fmt(medians[n].get(key), pattern) for n in names)]
        row += [fmt(r.get(key)) if key in r else "" for r in ratios.values()]
        rows.append(row)
    intro = (
        f"## Burst: {burst['n']} participants rate at once\n\n"
        f"Median of {settings['repeat']} run(s) per target; load from "
        f"{settings.get('load_workers', settings.get('workers'))} Node worker process(es); "
        "every connection is websocket-only socket.io-client 4.x."
    )
    text = intro + "\n\n" + table(header, rows)
    profiles = burst.get("profiles", {"plenary": burst["profile"]} if "profile" in burst else {})
    for name, profile in profiles.items():
        text += "\n\n" + render_profile(profile, TARGET_LABELS.get(name, name))
    return text


def render_profile(profile: Json, label: str = "Plenary", what: str = "the burst") -> str:
    rows = [[f"`{frame}`", f"{share:.1%}"] for frame, share in profile["self"]]
    mine = [[f"`{frame}`", f"{share:.1%}"] for frame, share in profile["ours"]]
    intro = (
        f"### Where {label} spent {what} (py-spy, {profile['samples']} samples, "
        f"raw stacks in `{profile['file']}`)"
    )
    own = table(["function (on top of the stack)", "share of samples"], rows)
    ours = table(["our function (anywhere on the stack)", "share of samples"], mine)
    workers = [
        [str(w["worker"]), "owner" if w["owner"] else "forwards", str(w["samples"])]
        for w in profile.get("workers", [])
        if len(profile["workers"]) > 1
    ]
    each = "\n\n" + table(["worker", "role", "samples"], workers) if workers else ""
    return f"{intro}\n\n{own}\n\n{ours}{each}"


def render_sessions(sessions: Json) -> str:
    return "\n\n".join(render_session(found, name) for name, found in sessions["by_target"].items())


def places_of(session: Json) -> str:
    """How many of the phones' `state` messages were their own `place` (the rest
    went to the participants' room); absent from reports made before it was counted."""
    places = session.get("participants_place_messages_during_waves")
    return "" if places is None else f" ({places} of them a phone's own `place`)"


def render_log(log: Json | None) -> str:
    """The log check of one run, as a sentence."""
    if not log:
        return ""
    return (
        f" Log: {log['acked']} acked commands looked up, **{log['missing']} missing**, "
        f"{log['applied_twice']} applied twice; `plenary verify`: {log['verify']} "
        f"({log['events']} events)."
    )


def render_takeover(found: Json) -> str:
    acks = found["acks"]
    rows = [
        [p["url"], str(p["attempts"]), fmt(p["acked_after_kill_ms"], "{:.0f}"), str(p["refusals"])]
        for p in found["probes"]
    ]
    intro = (
        f"## Takeover: the owner SIGKILLed mid-burst ({found['n']} participants, "
        f"{found['workers']} workers)\n\n"
        f"Worker {found['owner_worker']} (the session's owner) was killed "
        f"{found['kill_after_ms']:.0f} ms after the burst was sent, once the display counted "
        f"{found['display_total_at_kill']}; {acks['acked_before_kill']} ratings had been acked "
        "by then. "
        f"**From the kill to the first acknowledged command sent after it: "
        f"{fmt(found['takeover_ms'], '{:.0f}')} ms.** Phones resent what was not answered "
        f"(same request_id; {acks['resent']} resent at least once): {acks['ok']} of "
        f"{acks['sent']} acked, the last {found['last_ack_after_kill_ms']:.0f} ms after the kill; "
        f"the display (another worker) showed the final total "
        f"{fmt(found['display']['final_tally_after_last_ack_ms'], '{:.0f}')} ms after the last "
        f"ack ({found['display']['final_total']} of {found['display']['expected_total']})."
        + render_log(found.get("log"))
    )
    header = ["probe phone's worker", "sends", "acked after the kill (ms)", "refusals before"]
    return intro + "\n\n" + table(header, rows)


def render_session(session: Json, name: str = "plenary") -> str:
    display = session["display_latency_ms"]
    acks = session["ack_latency_ms"]
    rows = [
        [
            f"`{kind}`",
            str(acks[kind]["count"] + session["refused"].get(kind, 0)),
            fmt(acks[kind]["p99"], "{:.1f}"),
            str(stats["count"]),
            fmt(stats["p50"], "{:.1f}"),
            fmt(stats["p99"], "{:.1f}"),
            fmt(stats["max"], "{:.1f}"),
            str(session["not_shown"].get(kind, 0)),
        ]
        for kind, stats in display.items()
    ]
    overall = session["display_latency_all_ms"]
    intro = (
        f"## Session: a plenary hour compressed into {session['wall_seconds']:.1f} s "
        f"({TARGET_LABELS[name]}, {session['n']} participants, {session['hubs']} hubs, "
        f"{session['rounds']} rounds)\n\n"
        "Display-update latency: from a command's ack to the first display `state` that "
        "shows its effect (0 when the display showed it before the ack arrived). "
        f"Over all commands: p50 {fmt(overall['p50'], '{:.1f}')} ms, "
        f"**p99 {fmt(overall['p99'], '{:.1f}')} ms** ({overall['count']} observations). "
        f"Server CPU: {session['server']['cpu_seconds']:.2f} s; memory per connection "
        f"(RSS growth): {fmt(session['server'].get('memory_per_connection_kb'), '{:.1f}')} KB. "
        "`state` messages the "
        "participants received during the waves: "
        f"{session['participants_state_messages_during_waves']}"
        f"{places_of(session)}. "
        f"Commands acked ok: {session['commands_ok']}; refused or unanswered: "
        f"{session['commands_failed']}." + render_log(session.get("log"))
    )
    header = [
        "command",
        "sent",
        "ack p99 (ms)",
        "shown",
        "display p50 (ms)",
        "display p99 (ms)",
        "display max (ms)",
        "never shown",
    ]
    text = intro + "\n\n" + table(header, rows)
    if "profile" in session:
        text += "\n\n" + render_profile(session["profile"], TARGET_LABELS[name], "the session")
    return text


def render_restart(restart: Json) -> str:
    rows = [
        [
            f"{restart['events']:,}",
            fmt(restart["seconds_to_healthz"], "{:.2f}"),
            fmt(restart["clean_seconds_to_healthz"], "{:.2f}"),
        ]
    ]
    intro = (
        "## Restart: from `plenary serve` starting to `/healthz` answering\n\n"
        f"Median of {restart['runs']} run(s), each on a fresh copy of the data dir. "
        "After a crash every session replays the events since its last snapshot; "
        "after a clean stop every session loads from its final snapshot."
    )
    header = ["events in the log", "after a crash (s)", "after a clean stop (s)"]
    return intro + "\n\n" + table(header, rows)


def render_core(core: Json) -> str:
    rows = [
        [f"`{k}`", fmt(v, "{:,.3f}") if isinstance(v, float) else str(v)]
        for k, v in core["figures"].items()
    ]
    return "## Core: decide + apply (`python -m bench.core_bench --json`)\n\n" + table(
        ["figure", "value"], rows
    )


def render_targets(targets: list[Json]) -> str:
    rows = [[t["target"], fmt(t["measured"], "{:.3f}"), t["limit"], verdict(t)] for t in targets]
    return "## Targets\n\n" + table(["target", "measured", "limit", "met"], rows)


def verdict(target: Json) -> str:
    met, measured = target["met"], target["measured"]
    if met is None:
        return "not measured" if measured is None else "(no limit)"
    return "yes" if met else "**no**"
