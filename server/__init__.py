"""Plenary's imperative shell: ASGI app, socket.io, auth, storage, fan-out, CLI."""
