"""Edges that bound abuse: forwarded headers, the join limiter, secrets that hold."""

import asyncio
import os
import resource
import stat
from pathlib import Path

import httpx
import jwt
import pytest

from server.auth import Authenticator, SecretError, read_or_create_secret
from server.ratelimit import JoinLimiter
from tests.live import LiveServer, Peer, try_connect


def _wrong_joins(server: LiveServer, count: int, rotate: bool) -> list[int]:
    """Status codes of `count` joins with a wrong code, each naming a new X-Forwarded-For."""
    statuses = []
    with httpx.Client(base_url=server.url, timeout=10) as client:
        for n in range(count):
            headers = {"X-Forwarded-For": f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"}
            answer = client.post(
                "/api/join",
                json={"join_code": "ZZZZZZ", "stakeholder_group": "academia", "channel": "remote"},
                headers=headers if rotate else {},
            )
            statuses.append(answer.status_code)
    return statuses


def test_rotating_forwarded_for_does_not_bypass_the_join_limiter(
    server_factory: type[LiveServer], tmp_path: Path
) -> None:
    server = server_factory(tmp_path / "data").start()
    statuses = _wrong_joins(server, 150, rotate=True)
    assert set(statuses) == {404, 429}
    # The first 20 wrong codes are answered as such; then each costs ten attempts.
    assert statuses[:20] == [404] * 20
    assert statuses[-1] == 429


def test_forwarded_for_is_believed_from_a_named_proxy(
    server_factory: type[LiveServer], tmp_path: Path
) -> None:
    # Loopback named as the proxy: each forwarded address has its own allowance.
    server = server_factory(tmp_path / "data", trusted_proxies="127.0.0.1").start()
    assert set(_wrong_joins(server, 150, rotate=True)) == {404}
    # ... and one forwarded address is limited like any other.
    assert 429 in _wrong_joins(server, 150, rotate=False)


def test_25_wrong_codes_do_not_block_the_right_one(
    server_factory: type[LiveServer], tmp_path: Path
) -> None:
    server = server_factory(tmp_path / "data").start()
    code = server.create_session("Hall", ["One"])["join_code"]
    assert _wrong_joins(server, 25, rotate=False) == [404] * 25
    joined = server.join(code)
    assert joined["token"]
    # Guessing is still limited: wrong codes from that address soon get rate_limited.
    assert 429 in _wrong_joins(server, 100, rotate=False)


def test_the_join_limiter_bounds_its_memory() -> None:
    limiter = JoinLimiter(max_addresses=1000)
    for n in range(20_000):
        address = f"10.{n // 65536}.{n // 256 % 256}.{n % 256}"
        assert limiter.attempt(address)
        limiter.failed(address)
    assert len(limiter) == 1000
    # The failure counts of evicted addresses are dropped with them.
    assert len(limiter._failures._failures) <= 1000


def test_the_join_limiter_slows_guessing_but_not_a_hall() -> None:
    hall = JoinLimiter()
    assert all(hall.attempt("192.0.2.1") for _ in range(600))  # 600 correct codes at once
    guesser = JoinLimiter()
    tries = 0
    while guesser.attempt("192.0.2.2") and tries < 10_000:
        guesser.failed("192.0.2.2")
        tries += 1
    assert tries < 20 + 600 // 10 + 2  # 20 at full price, then ten tokens each


def test_the_authenticator_refuses_an_empty_or_short_key() -> None:
    for key in ("", "x" * 42):
        with pytest.raises(SecretError):
            Authenticator(key, "admin-token-long-enough-123", 1)
    auth = Authenticator("k" * 43, "admin-token-long-enough-123", 1)
    token = auth.issue("s1", "facilitator")
    assert auth.verify(token, "s1").role == "facilitator"


def test_pyjwt_itself_refuses_an_empty_hmac_key() -> None:
    # The pinned range (>= 2.13) refuses empty keys; Authenticator would anyway.
    with pytest.raises(jwt.exceptions.InvalidKeyError):
        jwt.encode({"role": "facilitator"}, "", algorithm="HS256")


def test_a_secret_is_written_whole_and_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "dir" / "secret.key"
    value = read_or_create_secret(path)
    assert len(value) >= 43
    assert path.read_text() == value + "\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert os.listdir(path.parent) == ["secret.key"]  # no temp file left behind
    assert read_or_create_secret(path) == value
    path.write_text("")
    with pytest.raises(SecretError):
        read_or_create_secret(path)


async def test_half_sent_requests_do_not_take_the_server_off_the_air(
    server_factory: type[LiveServer], tmp_path: Path
) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    server = server_factory(tmp_path / "data", header_timeout_s="2").start()
    created = server.create_session("Slow", ["One"])
    links = [await asyncio.open_connection("127.0.0.1", server.port) for _ in range(1200)]
    for _, writer in links:
        writer.write(b"GET /healthz HTT")
    await asyncio.gather(*(writer.drain() for _, writer in links))
    async with httpx.AsyncClient(timeout=10) as client:
        assert (await client.get(server.url + "/healthz")).json() == {"ok": True}
    assert await try_connect(server.url, created["tokens"]["facilitator"]) is None
    # Every half-open connection is closed by the server (read gives EOF), not left open.
    closed = await asyncio.gather(
        *(asyncio.wait_for(reader.read(), timeout=60) for reader, _ in links)
    )
    assert all(data == b"" for data in closed)
    for _, writer in links:
        writer.close()


async def test_a_websocket_outlives_the_header_timeout(
    server_factory: type[LiveServer], tmp_path: Path
) -> None:
    server = server_factory(tmp_path / "data", header_timeout_s="1").start()
    created = server.create_session("Long", ["One"])
    pid = created["propositions"][0]["id"]
    console = await Peer(server.url, created["tokens"]["facilitator"]).connect()
    await asyncio.sleep(2.5)  # past the header deadline of the upgraded connection
    ack = await console.call("proposition:open", {"proposition_id": pid})
    assert ack["ok"], ack
    await console.close()


async def test_a_removed_participant_cannot_rejoin_from_the_same_device(
    server_factory: type[LiveServer], tmp_path: Path
) -> None:
    server = server_factory(tmp_path / "data").start()
    created = server.create_session("Removal", ["One"])
    body = {"join_code": created["join_code"], "stakeholder_group": "academia", "channel": "remote"}
    facilitator = await Peer(server.url, created["tokens"]["facilitator"]).connect()
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as phone:
        first = await phone.post("/api/join", json=body)
        assert first.status_code == 201
        cookie = first.headers["set-cookie"].lower()
        assert "httponly" in cookie
        assert "samesite=strict" in cookie
        # Before removal the same device may join again (e.g. after losing its token).
        again = await phone.post("/api/join", json=body)
        assert again.status_code == 201
        ack = await facilitator.call(
            "participant:remove", {"participant_id": again.json()["participant_id"]}
        )
        assert ack["ok"], ack
        refused = await phone.post("/api/join", json=body)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "forbidden"
    # A forged or foreign cookie counts for nothing; another device joins.
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as other:
        other.cookies.set(f"plenary_device_{created['session_id']}", "p1.forged")
        assert (await other.post("/api/join", json=body)).status_code == 201
    await facilitator.close()


def test_joins_per_session_can_be_capped(server_factory: type[LiveServer], tmp_path: Path) -> None:
    server = server_factory(tmp_path / "data", max_joins_per_session="3").start()
    created = server.create_session("Small room", ["One"])
    for _ in range(3):
        server.join(created["join_code"])
    answer = server.post_join(created["join_code"], "academia", "remote")
    assert answer.status_code == 403
    assert answer.json()["error"]["code"] == "forbidden"
    assert "full" in answer.json()["error"]["message"]
    # Another session on the same server has its own count.
    other = server.create_session("Another", ["One"])
    assert server.join(other["join_code"])["token"]


async def _trickle(port: int, stop: asyncio.Event) -> bytes:
    """A join whose body comes a byte every 0.3 s; what the server answers, until it closes."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"POST /api/join HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 200\r\n\r\n{"
    )
    await writer.drain()

    async def drip() -> None:
        while not stop.is_set() and not writer.is_closing():
            writer.write(b" ")
            try:
                await writer.drain()
            except ConnectionError:
                return
            await asyncio.sleep(0.3)

    dripping = asyncio.create_task(drip())
    answer = await asyncio.wait_for(reader.read(), timeout=15)  # until the server closes
    stop.set()
    await dripping
    writer.close()
    return answer


async def test_a_trickling_body_is_cut_without_harming_others(
    server_factory: type[LiveServer], tmp_path: Path
) -> None:
    server = server_factory(tmp_path / "data", body_timeout_s="2").start()
    created = server.create_session("Slow bodies", ["One"])
    began = asyncio.get_running_loop().time()
    slow = [asyncio.create_task(_trickle(server.port, asyncio.Event())) for _ in range(20)]
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        while not all(task.done() for task in slow):  # others join while the bodies drip
            joined = await client.post(
                "/api/join",
                json={
                    "join_code": created["join_code"],
                    "stakeholder_group": "academia",
                    "channel": "remote",
                },
            )
            assert joined.status_code == 201, joined.text
            await asyncio.sleep(0.2)
    answers = [task.result() for task in slow]
    took = asyncio.get_running_loop().time() - began
    assert 2 <= took < 8, took
    for answer in answers:
        assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
        assert b'"code":"too_slow"' in answer.replace(b" ", b""), answer
    async with httpx.AsyncClient(timeout=5) as client:
        assert (await client.get(server.url + "/healthz")).json() == {"ok": True}


async def test_an_idle_keep_alive_connection_is_closed(
    server_factory: type[LiveServer], tmp_path: Path
) -> None:
    server = server_factory(tmp_path / "data", keep_alive_s="1").start()
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    await writer.drain()
    began = asyncio.get_running_loop().time()
    answer = await asyncio.wait_for(reader.read(), timeout=10)  # EOF once the server closes
    assert answer.startswith(b"HTTP/1.1 200 "), answer[:100]
    assert asyncio.get_running_loop().time() - began < 5
    writer.close()


async def test_connections_beyond_the_limit_are_answered_503(
    server_factory: type[LiveServer], tmp_path: Path
) -> None:
    server = server_factory(tmp_path / "data", max_connections="20").start()
    held = [await asyncio.open_connection("127.0.0.1", server.port) for _ in range(25)]
    async with httpx.AsyncClient(timeout=5) as client:
        try:
            assert (await client.get(server.url + "/healthz")).status_code == 503
        finally:
            for _, writer in held:
                writer.close()
        deadline = asyncio.get_running_loop().time() + 10
        while (await client.get(server.url + "/healthz")).status_code != 200:
            assert asyncio.get_running_loop().time() < deadline, "the server never recovered"
            await asyncio.sleep(0.1)
