"""The speaker queue's order: a pure function of the queue state.

Default policy (docs/protocol.md, "Queue order"):
1. by intent class: point of order, then reply, then clarify and speak together;
2. within a class, the room and the remote side (remote participants and
   hubs) alternate, starting opposite the side that spoke last (with nobody
   yet, the side of the class's earliest entry). The order is a projection:
   the side that "spoke last" carries on from one class to the next, so that
   calling `queue:next` repeatedly gives the floor in exactly this order;
3. within a side, people who have not had the floor yet go first, then first
   come, first served.
Entries the facilitator pinned with `queue:move` are then placed at their
pinned positions, and the alternation after each of them starts opposite its
side, as it will once that entry has spoken. `fifo` keeps only arrival order
(and pins).
"""

from .state import Entry, QueueState

INTENT_CLASSES: tuple[tuple[str, ...], ...] = (
    ("point_of_order",),
    ("reply",),
    ("clarify", "speak"),
)


def side(entry: Entry) -> str:
    return "room" if entry.channel == "in_room" else "remote"


def ordered(queue: QueueState, policy: str = "default") -> list[Entry]:
    """All waiting entries, position 1 first: the order `queue:next` follows."""
    unpinned = [e for e in queue.entries.values() if e.pin is None]
    if policy == "fifo":
        waiting = sorted(unpinned, key=lambda e: e.seq)
    else:
        waiting = _by_policy(unpinned, queue.had_floor, queue.last_side)
    result: list[Entry] = []
    for entry in sorted((e for e in queue.entries.values() if e.pin is not None), key=_pin_key):
        ahead = max(0, _pin_key(entry)[0] - 1 - len(result))
        result.extend(waiting[:ahead])
        waiting = waiting[ahead:]
        result.append(entry)
        if policy != "fifo":  # the side after a pinned speaker is the other one
            waiting = _by_policy(waiting, queue.had_floor, side(entry))
    return result + waiting


def position(queue: QueueState, entry_id: str, policy: str = "default") -> int | None:
    for index, entry in enumerate(ordered(queue, policy)):
        if entry.entry_id == entry_id:
            return index + 1
    return None


def _pin_key(entry: Entry) -> tuple[int, int]:
    return (entry.pin or 0, entry.seq)


def _by_policy(entries: list[Entry], had_floor: set[str], last_side: str | None) -> list[Entry]:
    result: list[Entry] = []
    for intents in INTENT_CLASSES:
        members = [e for e in entries if e.intent in intents]
        if not members:
            continue
        sides = {
            s: sorted(
                (e for e in members if side(e) == s), key=lambda e: (e.owner in had_floor, e.seq)
            )
            for s in ("room", "remote")
        }
        if last_side is None:
            turn = side(min(members, key=lambda e: e.seq))
        else:
            turn = "remote" if last_side == "room" else "room"
        result.extend(_alternate(sides[turn], sides["remote" if turn == "room" else "room"]))
        last_side = side(result[-1])
    return result


def _alternate(first: list[Entry], second: list[Entry]) -> list[Entry]:
    merged: list[Entry] = []
    for i in range(max(len(first), len(second))):
        merged.extend(first[i : i + 1])
        merged.extend(second[i : i + 1])
    return merged
