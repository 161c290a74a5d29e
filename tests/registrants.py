"""Registrant lists and the facilitator's registrant routes, for tests."""

import time
from typing import Any

import httpx

from tests.live import LiveServer

HEADER = "name,email,stakeholder group,on-site or online,language"
GROUPS = ("government", "civil_society", "private_sector", "academia", "technical_community")


def registrant_rows(count: int, start: int = 0) -> list[str]:
    """`count` valid rows: names and emails numbered from `start`."""
    return [
        f"Registrant {i},person{i}@example.org,{GROUPS[i % 5]},"
        f"{('on-site', 'online')[i % 2]},{('en', 'fr', 'es')[i % 3]}"
        for i in range(start, start + count)
    ]


def csv_text(rows: list[str]) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


class Registrants:
    """The registrant routes of one session, with its facilitator token."""

    def __init__(self, server: LiveServer, created: dict[str, Any]) -> None:
        self.base = f"{server.url}/api/sessions/{created['session_id']}"
        self.headers = {"Authorization": f"Bearer {created['tokens']['facilitator']}"}
        self.url = server.url

    def upload(self, text: str) -> httpx.Response:
        return httpx.post(
            self.base + "/registrants",
            content=text.encode(),
            headers={**self.headers, "Content-Type": "text/csv"},
            timeout=20,
        )

    def get(self, path: str, token: str | None = None) -> httpx.Response:
        """GET a path of this session's API, with the facilitator's token or `token`."""
        headers = self.headers if token is None else {"Authorization": f"Bearer {token}"}
        return httpx.get(self.base + path, headers=headers, timeout=10)

    def listed(self) -> list[dict[str, Any]]:
        answer = httpx.get(self.base + "/registrants", headers=self.headers, timeout=10)
        assert answer.status_code == 200, answer.text
        found: list[dict[str, Any]] = answer.json()["registrants"]
        return found

    def send(self, **body: Any) -> httpx.Response:
        return httpx.post(self.base + "/invitations", json=body, headers=self.headers, timeout=10)

    def open(self, link: str) -> httpx.Response:
        """What the phone does with an invitation link: post its fragment."""
        return httpx.post(
            self.url + "/api/invitation", json={"invitation": link.split("#", 1)[1]}, timeout=10
        )

    def until_delivered(self, count: int, timeout: float = 30) -> list[dict[str, Any]]:
        """The list once `count` deliveries are no longer queued."""
        deadline = time.monotonic() + timeout
        while True:
            listed = self.listed()
            done = [r for r in listed if (r["delivery"] or {}).get("status") in ("sent", "failed")]
            if len(done) >= count:
                return listed
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(done)} of {count} deliveries done")
            time.sleep(0.1)
