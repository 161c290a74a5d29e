"""Rating windows: ratings taken before and after the live hour.

Rules this module keeps:
- A window is set with local times in the session's time zone (or with an
  offset); `decide` resolves them once, and the event records seconds since
  the epoch, so a replay never depends on the time zone database.
- Windows open and close through `AdvanceWindows`, which the shell's
  scheduler gives with `now` set to a deadline. Each opening and closing is
  recorded at its own time (`opens_at`, `closes_at`), never at the time the
  command happened to run: a server that was down at a deadline records the
  closing at the deadline when it starts again.
- A rating counts as given "in the live hour" when the chair had the
  proposition open (`proposition:open` until `proposition:close`); any other
  accepted rating was given inside a window, "outside the live hour".
- A rating is accepted inside a window only before its `closes_at`, even if
  the scheduler has not recorded the closing yet.
"""

from datetime import datetime
from typing import Any

from . import commands as c
from . import events as ev
from .actor import Actor
from .errors import BadRequest, Conflict, NotFound
from .settings import check_time_zone
from .state import RoundState, SessionState, Window
from .vocabulary import MAX_WINDOW_SECONDS, MAX_WINDOWS


def resolve(text: str, time_zone: str) -> float:
    """Seconds since the epoch of a local time in `time_zone` (or of a time with an offset)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=check_time_zone(time_zone))
    return moment.timestamp()


def set_window(s: SessionState, cmd: c.SetWindow, _: Actor, now: float) -> list[ev.Event]:
    if cmd.window_id in s.windows:
        raise Conflict("That window id is taken.")
    if cmd.proposition_id is not None and cmd.proposition_id not in s.propositions:
        raise NotFound("There is no such proposition in this session.")
    if len(s.windows) >= MAX_WINDOWS:
        raise BadRequest(f"A session holds at most {MAX_WINDOWS} rating windows.")
    opens_at = resolve(cmd.opens_at, s.settings.time_zone)
    closes_at = resolve(cmd.closes_at, s.settings.time_zone)
    if closes_at <= opens_at:
        raise BadRequest("A window must close after it opens: check closes_at.")
    if closes_at <= now:
        raise BadRequest(
            f"closes_at ({cmd.closes_at}, {s.settings.time_zone}) has passed already: "
            "choose a later time."
        )
    if closes_at - opens_at > MAX_WINDOW_SECONDS:
        raise BadRequest(f"A window stays open at most {MAX_WINDOW_SECONDS // 86400} days.")
    found: list[ev.Event] = [
        ev.WindowSet(cmd.window_id, cmd.proposition_id, opens_at, closes_at, now)
    ]
    if opens_at <= now:  # it should be open already: it opens as it is set
        found.append(ev.WindowOpened(cmd.window_id, now))
    return found


def cancel_window(s: SessionState, cmd: c.CancelWindow, _: Actor, now: float) -> list[ev.Event]:
    window = s.windows.get(cmd.window_id)
    if window is None:
        raise NotFound("There is no such rating window.")
    if window.status in ("closed", "cancelled"):
        raise Conflict("This rating window is closed already.")
    return [ev.WindowCancelled(cmd.window_id, now)]


def advance_windows(s: SessionState, _: c.AdvanceWindows, __: Actor, now: float) -> list[ev.Event]:
    due: list[tuple[float, int, str]] = []
    for window in s.windows.values():
        if window.status == "scheduled" and window.opens_at <= now:
            due.append((window.opens_at, 0, window.window_id))
        if window.status in ("scheduled", "open") and window.closes_at <= now:
            due.append((window.closes_at, 1, window.window_id))
    due.sort()
    return [
        ev.WindowOpened(wid, at) if closing == 0 else ev.WindowClosed(wid, at)
        for at, closing, wid in due
    ]


def next_deadline(s: SessionState) -> float | None:
    """The earliest time at which a window opens or closes, or None."""
    times = [w.opens_at for w in s.windows.values() if w.status == "scheduled"]
    times += [w.closes_at for w in s.windows.values() if w.status in ("scheduled", "open")]
    return min(times, default=None)


def rating_window(s: SessionState, proposition_id: str, now: float | None = None) -> Window | None:
    """The open window covering the proposition (the one closing last), if any;
    with `now`, only one that has not reached its closing time."""
    found = [
        w
        for w in s.windows.values()
        if w.status == "open" and w.covers(proposition_id) and (now is None or now < w.closes_at)
    ]
    return max(found, key=lambda w: w.closes_at, default=None)


def window_set(s: SessionState, e: ev.WindowSet) -> None:
    s.windows[e.window_id] = Window(e.window_id, e.proposition_id, e.opens_at, e.closes_at, e.at)


def window_opened(s: SessionState, e: ev.WindowOpened) -> None:
    window = s.windows[e.window_id]
    window.status, window.opened_at = "open", e.at
    for pid in s.order:
        proposition = s.propositions[pid]
        # A proposition never rated gets its first round from the window:
        # the round before deliberation. Others go on in their latest round.
        if window.covers(pid) and not proposition.rounds and proposition.status != "withdrawn":
            proposition.rounds.append(
                RoundState(1, e.at, window=e.window_id, revision=proposition.revision)
            )


def window_closed(s: SessionState, e: ev.WindowClosed | ev.WindowCancelled) -> None:
    window = s.windows[e.window_id]
    if window.status == "open":
        window.closed_at = e.at
    window.status = "closed" if isinstance(e, ev.WindowClosed) else "cancelled"
    for proposition in s.propositions.values():
        latest = proposition.rounds[-1] if proposition.rounds else None
        if (
            latest is not None
            and latest.window == e.window_id
            and latest.closed_at is None
            and proposition.status != "open"
            and rating_window(s, proposition.proposition_id) is None
        ):
            latest.closed_at = e.at


def window_view(window: Window) -> dict[str, Any]:
    return {
        "window_id": window.window_id,
        "proposition_id": window.proposition_id,
        "opens_at": window.opens_at,
        "closes_at": window.closes_at,
        "status": window.status,
        "opened_at": window.opened_at,
        "closed_at": window.closed_at,
    }


def windows(state: SessionState, *_: object) -> list[dict[str, Any]]:
    return [window_view(w) for w in state.windows.values()]
