"""Drafts split the way a person reads them: whole propositions, sections, sources."""

import pytest

from facilitation.draft import MAX_ITEMS, DraftItem, Paragraph, split_paragraphs, split_text
from facilitation.errors import BadRequest, TooLarge

MARKDOWN = """# Draft outcome on meaningful access

## Access

1. Everyone should have meaningful access to the Internet, including
   people in rural and remote areas.
2. Affordability is a precondition of access; prices should fall
   below 2% of monthly income.

## Governance

- The **multistakeholder** model is kept and strengthened.
- Hubs are included on equal terms.

A closing paragraph that is hard
wrapped over two lines.
"""


def test_markdown_headings_numbers_bullets_and_wrapped_lines() -> None:
    draft = split_text(MARKDOWN)
    title = "Draft outcome on meaningful access"
    assert draft.title == title
    assert draft.items == (
        DraftItem(
            "Everyone should have meaningful access to the Internet, including people in "
            "rural and remote areas.",
            "Access",
            "1",
            f"{title}, ¶ 1",
        ),
        DraftItem(
            "Affordability is a precondition of access; prices should fall below 2% of "
            "monthly income.",
            "Access",
            "2",
            f"{title}, ¶ 2",
        ),
        DraftItem(
            "The multistakeholder model is kept and strengthened.",
            "Governance",
            "3",
            f"{title}, ¶ 3",
        ),
        DraftItem("Hubs are included on equal terms.", "Governance", "4", f"{title}, ¶ 4"),
        DraftItem(
            "A closing paragraph that is hard wrapped over two lines.",
            "Governance",
            "5",
            f"{title}, ¶ 5",
        ),
    )


def test_plain_text_heading_guess_lettered_items_and_the_fallback_title() -> None:
    text = "PREAMBLE\n\nWe the participants\nagree on this.\n\n(a) first point;\nb) second point.\n"
    draft = split_text(text, None, "notes")
    assert [(i.text, i.section, i.source) for i in draft.items] == [
        ("We the participants agree on this.", "PREAMBLE", "notes, ¶ 1"),
        ("first point;", "PREAMBLE", "notes, ¶ a"),
        ("second point.", "PREAMBLE", "notes, ¶ b"),
    ]


def test_pasted_text_has_one_paragraph_per_long_line() -> None:
    long_a = "A paragraph as a word processor copies it, on one line. " * 3
    long_b = "Another one, right below it without a blank line in between. " * 3
    draft = split_text(f"{long_a}\n{long_b}\n", "Given title")
    assert [i.text for i in draft.items] == [long_a.strip(), long_b.strip()]
    assert [i.source for i in draft.items] == ["Given title, ¶ 1", "Given title, ¶ 2"]


def test_setext_headings_and_several_top_headings_are_sections() -> None:
    text = "Part one\n========\n\nFirst.\n\n# Part two\n\nSecond.\n\n# Part three\n\nThird.\n"
    draft = split_text(text)
    assert draft.title is None  # three top-level headings: none of them is the title
    assert draft.items[0].source == "¶ 1"
    assert [(i.text, i.section) for i in draft.items] == [
        ("First.", "Part one"),
        ("Second.", "Part two"),
        ("Third.", "Part three"),
    ]


def test_word_paragraphs_keep_their_numbers_and_typed_ones() -> None:
    draft = split_paragraphs(
        [
            Paragraph("Outcome", "title"),
            Paragraph("Scope", "heading"),
            Paragraph("Numbered by Word", "list", "1"),
            Paragraph("A bullet", "list", None),
            Paragraph("12. Typed number", "body"),
            Paragraph("   ", "body"),
        ]
    )
    assert draft.title == "Outcome"
    assert [(i.text, i.section, i.number) for i in draft.items] == [
        ("Numbered by Word", "Scope", "1"),
        ("A bullet", "Scope", "2"),
        ("Typed number", "Scope", "12"),
    ]


def test_the_source_stays_within_its_limit() -> None:
    draft = split_text("One.", "T" * 600)
    assert len(draft.items[0].source) == 500
    assert draft.items[0].source.endswith("…, ¶ 1")


@pytest.mark.parametrize("text", ["", "\n\n  \n", "# Only a heading\n\n## And another\n"])
def test_an_empty_draft_is_refused(text: str) -> None:
    with pytest.raises(BadRequest, match="empty"):
        split_text(text)


def test_too_many_propositions_are_refused() -> None:
    with pytest.raises(TooLarge, match=str(MAX_ITEMS)):
        split_text("\n\n".join(f"Point {i}." for i in range(MAX_ITEMS + 1)))
