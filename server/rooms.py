"""socket.io's in-process client manager, with an index from each connection to
its rooms, and rooms of one connection held without a bidict.

Why the index: python-socketio's manager finds the rooms of a leaving
connection by looking for it in every room of the namespace, and every
connection has a room of its own (and here a personal one): each disconnect
costs time in proportion to the hall: 10,000 phones leaving at once (the end of
a session, a network blip) took 15.7 s of the event loop on this machine with
the manager alone (0.56 s for 3,000: quadratic); in the benchmark, with the
server's own work beside it, the next hall's first request (creating its
session) timed out after 30 s while the server was in that loop. With the
index each disconnect costs its own rooms only: 0.04 s for all 10,000.

Why rooms of one: the library keeps every room as a `bidict` (an object and
two dicts, about 0.5 KB with one member), and each phone has two rooms only
it is in: the room named after its sid and its personal room. Such a room is
held here as one `(sid, eio_sid)` pair until a second connection enters it
(the same participant in a second tab), when it becomes the library's bidict.

Given to `socketio.AsyncServer(client_manager=...)`, the library's own
extension point for managers; the library's classes are not changed. Every
method of the manager that reads a room other than the namespace's list of
connections (the room `None`, kept as the library keeps it) is overridden here.
"""

from collections.abc import Iterator
from typing import Any

import socketio
from bidict import bidict

Room = str | None


class IndexedManager(socketio.AsyncManager):  # type: ignore[misc]
    """AsyncManager with a connection-to-rooms index and light rooms of one member."""

    def __init__(self) -> None:
        super().__init__()
        self._rooms_of: dict[tuple[str, str], set[Room]] = {}
        # (namespace, room) -> (sid, eio_sid) of its only member; never the room None.
        self._alone: dict[tuple[str, Room], tuple[str, str]] = {}

    def basic_enter_room(
        self, sid: str, namespace: str, room: Room, eio_sid: str | None = None
    ) -> None:
        shared = self.rooms.get(namespace, {})
        if room is None or room in shared:
            super().basic_enter_room(sid, namespace, room, eio_sid)
        else:
            # The library's checks, then its lookup of the connection's eio_sid.
            if eio_sid is None and namespace not in self.rooms:
                raise ValueError("sid is not connected to requested namespace")
            if sid != room and self.is_sid_room(namespace, room):
                raise ValueError("cannot enter a sid room")
            if eio_sid is None:
                eio_sid = shared[None][sid]
            member = self._alone.get((namespace, room))
            if member is None or member[0] == sid:
                self._alone[(namespace, room)] = (sid, eio_sid)
            else:  # a second member: from here on the library's own room
                del self._alone[(namespace, room)]
                shared[room] = bidict({member[0]: member[1], sid: eio_sid})
        self._rooms_of.setdefault((namespace, sid), set()).add(room)

    def basic_leave_room(self, sid: str, namespace: str, room: Room) -> None:
        member = self._alone.get((namespace, room))
        if member is not None:
            if member[0] == sid:
                del self._alone[(namespace, room)]
        else:
            super().basic_leave_room(sid, namespace, room)
        rooms = self._rooms_of.get((namespace, sid))
        if rooms is not None:
            rooms.discard(room)
            if not rooms:
                del self._rooms_of[(namespace, sid)]

    def get_participants(self, namespace: str, room: Any) -> Iterator[tuple[str, str]]:
        """(sid, eio_sid) of each connection in `room`, or in any of a list of rooms."""
        names = room if hasattr(room, "__len__") and not isinstance(room, str) else [room]
        shared = self.rooms.get(namespace, {})
        found: dict[str, str] = {}
        for name in names:
            member = self._alone.get((namespace, name))
            if member is not None:
                found[member[0]] = member[1]
            elif name in shared:
                found.update(shared[name].items())  # a dict's items: copied at C speed
        yield from found.items()

    def basic_disconnect(self, sid: str, namespace: str, **kwargs: Any) -> None:
        """As the library's, with the rooms taken from the index, not from a scan of all."""
        if namespace not in self.rooms:
            return
        for room in list(self._rooms_of.get((namespace, sid), ())):
            self.basic_leave_room(sid, namespace, room)
        self._rooms_of.pop((namespace, sid), None)
        self.callbacks.pop(sid, None)
        _forget(self.pending_connect, namespace, sid)
        _forget(self.pending_disconnect, namespace, sid)

    def get_rooms(self, sid: str, namespace: str) -> list[Room]:
        return [room for room in self._rooms_of.get((namespace, sid), ()) if room is not None]


def _forget(pending: dict[str, list[str]], namespace: str, sid: str) -> None:
    waiting = pending.get(namespace)
    if waiting is not None and sid in waiting:
        waiting.remove(sid)
        if not waiting:
            del pending[namespace]
