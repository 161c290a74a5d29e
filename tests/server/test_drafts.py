"""Drafts brought in through the real server: real files in, the preview's propositions out,
and propositions with sections in the state and the report."""

from pathlib import Path

import docx
import httpx

from server.drafts import DOCX_TYPE, MAX_DRAFT_BYTES
from tests.live import LiveServer, Peer

MARKDOWN = """# Outcome of the Best Practice Forum

## Access

1. Everyone should have meaningful access to the Internet, including
   people in rural and remote areas.
2. Affordability is a precondition of access; prices should fall below
   2% of monthly income.

## Governance

3. The multistakeholder model is kept
   and strengthened.
"""


def preview(
    server: LiveServer, token: str, session_id: str, path: Path, content_type: str
) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/sessions/{session_id}/draft",
        params={"name": path.name},
        content=path.read_bytes(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": content_type},
        timeout=20,
    )


def write_docx(path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Draft on data flows", style="Title")
    document.add_heading("Principles", level=1)
    document.add_paragraph("Data should flow with trust across borders.", style="List Number")
    document.add_paragraph("Privacy is protected wherever data goes.", style="List Number")
    document.add_heading("Next steps", level=1)
    document.add_paragraph("")
    document.add_paragraph("The forum reports back next year.")
    document.add_paragraph("Regional hubs are consulted.", style="List Bullet")
    document.save(str(path))


def test_previews_of_a_word_and_a_markdown_file(live_server: LiveServer, tmp_path: Path) -> None:
    created = live_server.create_session("Drafts")
    sid, token = created["session_id"], created["tokens"]["facilitator"]
    word = tmp_path / "data-flows.docx"
    write_docx(word)
    answer = preview(live_server, token, sid, word, DOCX_TYPE)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["title"] == "Draft on data flows"
    assert body["items"] == [
        {
            "text": "Data should flow with trust across borders.",
            "section": "Principles",
            "number": "1",
            "source": "Draft on data flows, ¶ 1",
        },
        {
            "text": "Privacy is protected wherever data goes.",
            "section": "Principles",
            "number": "2",
            "source": "Draft on data flows, ¶ 2",
        },
        {
            "text": "The forum reports back next year.",
            "section": "Next steps",
            "number": "3",
            "source": "Draft on data flows, ¶ 3",
        },
        {
            "text": "Regional hubs are consulted.",
            "section": "Next steps",
            "number": "4",
            "source": "Draft on data flows, ¶ 4",
        },
    ]

    markdown = tmp_path / "bpf.md"
    markdown.write_text(MARKDOWN, encoding="utf-8")
    body = preview(live_server, token, sid, markdown, "text/markdown").json()
    title = "Outcome of the Best Practice Forum"
    assert body["title"] == title
    assert [(i["text"], i["section"], i["source"]) for i in body["items"]] == [
        (
            "Everyone should have meaningful access to the Internet, including people in "
            "rural and remote areas.",
            "Access",
            f"{title}, ¶ 1",
        ),
        (
            "Affordability is a precondition of access; prices should fall below 2% of "
            "monthly income.",
            "Access",
            f"{title}, ¶ 2",
        ),
        ("The multistakeholder model is kept and strengthened.", "Governance", f"{title}, ¶ 3"),
    ]


def test_bad_drafts_are_refused_clearly(live_server: LiveServer, tmp_path: Path) -> None:
    created = live_server.create_session("Drafts")
    sid, token = created["session_id"], created["tokens"]["facilitator"]
    fake = tmp_path / "not-word.docx"
    fake.write_bytes(b"PK\x03\x04 this is no zip archive at all")
    answer = preview(live_server, token, sid, fake, DOCX_TYPE)
    assert answer.status_code == 400
    assert "not a Word .docx document" in answer.json()["error"]["message"]
    # Larger than any other body may be (max_body_bytes, 256 KiB), within the draft's 2 MiB.
    big = tmp_path / "big.txt"
    big.write_text("\n\n".join(f"Point {i}: " + "wording " * 160 for i in range(300)))
    assert big.stat().st_size > 256 * 1024
    answer = preview(live_server, token, sid, big, "text/plain")
    assert answer.status_code == 200, answer.text
    assert len(answer.json()["items"]) == 300
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"Too long. " * (MAX_DRAFT_BYTES // 10 + 1))
    answer = preview(live_server, token, sid, huge, "text/plain")
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "too_large"
    empty = tmp_path / "empty.md"
    empty.write_text("# Only a title\n\n\n", encoding="utf-8")
    answer = preview(live_server, token, sid, empty, "text/markdown")
    assert answer.status_code == 400
    assert "empty" in answer.json()["error"]["message"]
    display = preview(live_server, created["tokens"]["display"], sid, empty, "text/markdown")
    assert display.status_code == 403


async def test_sectioned_propositions_reach_the_state_and_the_report(
    live_server: LiveServer,
) -> None:
    created = live_server.create_session("Sections")
    sid, token = created["session_id"], created["tokens"]["facilitator"]
    facilitator = await Peer(live_server.url, token).connect()
    display = await Peer(live_server.url, created["tokens"]["display"]).connect()
    added = []
    for text, section, source in (
        ("Access is meaningful.", "Access", "Draft, ¶ 1"),
        ("Prices fall.", "Access", "Draft, ¶ 2"),
        ("Hubs count.", "Governance", "Draft, ¶ 3"),
    ):
        ack = await facilitator.call(
            "proposition:add", {"text": text, "source": source, "section": section}
        )
        assert ack["ok"], ack
        added.append(ack["proposition_id"])
    await display.until(lambda v: len(v["propositions"]) == 3)
    assert [(p["id"], p["section"]) for p in display.view["propositions"]] == [
        (added[0], "Access"),
        (added[1], "Access"),
        (added[2], "Governance"),
    ]
    too_long = await facilitator.call("proposition:add", {"text": "T", "section": "S" * 201})
    assert too_long["error"]["code"] == "too_large"
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=f"{live_server.url}/api/sessions/{sid}") as client:
        text = (await client.get("/report.md", headers=headers)).text
        as_json = (await client.get("/report.json", headers=headers)).json()
    # Each section's title stands once, above its propositions' own headings.
    order = [
        text.index(part)
        for part in (
            "# Section: Access",
            "## 1. Access is meaningful.",
            "## 2. Prices fall.",
            "# Section: Governance",
            "## 3. Hubs count.",
        )
    ]
    assert order == sorted(order)
    assert text.count("# Section: Access") == 1
    assert [p["section"] for p in as_json["propositions"]] == [
        "Access",
        "Access",
        "Governance",
    ]
    await facilitator.close()
    await display.close()
