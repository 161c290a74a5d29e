"""The report routes answer the facilitator only, with the wire's error codes."""

import asyncio

from tests.live import LiveServer, Peer
from tests.reports.conftest import get_report


async def test_only_a_facilitator_token_opens_a_report(live_server: LiveServer) -> None:
    created = live_server.create_session("Auth", ["One"])
    session_id, tokens = created["session_id"], created["tokens"]
    participant = live_server.join(created["join_code"], name="Pat")["token"]
    facilitator = await Peer(live_server.url, tokens["facilitator"]).connect()
    hub = await facilitator.call("hub:invite", {"name": "Hub", "attendance": 5})
    await facilitator.close()

    def status(fmt: str, token: str | None) -> tuple[int, str]:
        answer = get_report(live_server, session_id, fmt, token)
        return answer.status_code, answer.json()["error"][
            "code"
        ] if answer.status_code != 200 else ""

    for fmt in ("md", "html", "csv", "json"):
        assert await asyncio.to_thread(status, fmt, tokens["facilitator"]) == (200, "")
        assert await asyncio.to_thread(status, fmt, tokens["display"]) == (403, "forbidden")
        assert await asyncio.to_thread(status, fmt, participant) == (403, "forbidden")
        assert await asyncio.to_thread(status, fmt, hub["token"]) == (403, "forbidden")
        assert await asyncio.to_thread(status, fmt, None) == (401, "unauthorized")
        assert await asyncio.to_thread(status, fmt, "forged.token.here") == (401, "unauthorized")
    assert await asyncio.to_thread(status, "pdf", tokens["facilitator"]) == (404, "not_found")
    other = live_server.create_session("Other")
    wrong = get_report(live_server, other["session_id"], "json", tokens["facilitator"])
    assert (wrong.status_code, wrong.json()["error"]["code"]) == (401, "unauthorized")
