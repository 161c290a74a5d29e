"""Reading a draft file for the preview: Word documents into styled paragraphs,
text files into text. The splitting itself is the domain's (`facilitation.draft`)."""

import io
import zipfile
from pathlib import PurePath
from typing import Any, Final

import docx
from docx.oxml.ns import qn

from facilitation.draft import Draft, Paragraph, Style, split_paragraphs, split_text

from .errors import ApiError

# A draft file is read whole: a text-only Word document of a hundred pages is
# well under a megabyte; this leaves room for a logo or two.
MAX_DRAFT_BYTES: Final = 2 * 1024 * 1024
DOCX_TYPE: Final = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_ZIP_MAGIC: Final = b"PK\x03\x04"


def read_draft(data: bytes, name: str, content_type: str, title: str | None) -> Draft:
    """The draft in `data` (a .docx, or UTF-8 plain text or Markdown) as propositions."""
    if len(data) > MAX_DRAFT_BYTES:
        raise ApiError(
            "too_large",
            f"The draft file is {len(data):,} bytes; the limit is {MAX_DRAFT_BYTES:,} "
            "(2 MiB). Remove images or split the document.",
        )
    is_docx = name.lower().endswith(".docx") or content_type.startswith(DOCX_TYPE)
    if is_docx or data.startswith(_ZIP_MAGIC):
        found_title, paragraphs = read_docx(data)
        return split_paragraphs(paragraphs, title, found_title or _stem(name))
    return split_text(_decode(data), title, _stem(name))


def read_docx(data: bytes) -> tuple[str | None, list[Paragraph]]:
    """The document's title (its properties') and its paragraphs with their styles."""
    try:
        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise ApiError(
            "bad_request",
            "This file is not a Word .docx document "
            f"({type(error).__name__}): save it as .docx (Word 2007 or later) or paste its text.",
        ) from None
    numbers = _ListNumbers(document)
    paragraphs = [
        Paragraph(p.text, style, numbers.next(p) if style == "list" else None)
        for p in document.paragraphs
        if (style := _style(p)) and p.text.strip()
    ]
    return document.core_properties.title or None, paragraphs


def _style(paragraph: Any) -> Style:
    name = paragraph.style.name if paragraph.style is not None else ""
    if name == "Title":
        return "title"
    if name.startswith("Heading"):
        return "heading"
    if name.startswith("List") or _num_id(paragraph) is not None:
        return "list"
    return "body"


class _ListNumbers:
    """The numbers Word shows on numbered items: counted per list, none on bullets."""

    def __init__(self, document: Any) -> None:
        self._document = document
        self._counts: dict[str, int] = {}

    def next(self, paragraph: Any) -> str | None:
        name = paragraph.style.name if paragraph.style is not None else ""
        num_id = _num_id(paragraph)
        if "Bullet" in name or (num_id is not None and self._bulleted(num_id)):
            return None
        key = num_id or name
        self._counts[key] = self._counts.get(key, 0) + 1
        return str(self._counts[key])

    def _bulleted(self, num_id: str) -> bool:
        try:
            numbering = self._document.part.numbering_part.element
        except (KeyError, NotImplementedError):
            return False
        for num in numbering.findall(qn("w:num")):
            if num.get(qn("w:numId")) == num_id:
                abstract = num.find(qn("w:abstractNumId")).get(qn("w:val"))
                return self._abstract_bulleted(numbering, abstract)
        return False

    @staticmethod
    def _abstract_bulleted(numbering: Any, abstract_id: str) -> bool:
        for abstract in numbering.findall(qn("w:abstractNum")):
            if abstract.get(qn("w:abstractNumId")) == abstract_id:
                fmt = abstract.find(f"{qn('w:lvl')}/{qn('w:numFmt')}")
                return fmt is not None and fmt.get(qn("w:val")) == "bullet"
        return False


def _num_id(paragraph: Any) -> str | None:
    properties = paragraph._p.pPr
    num = None if properties is None or properties.numPr is None else properties.numPr.numId
    return None if num is None else str(num.val)


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApiError(
            "bad_request",
            "This file is neither a Word .docx document nor UTF-8 text: "
            "save it as .docx, .md or .txt (UTF-8), or paste its text.",
        ) from None


def _stem(name: str) -> str | None:
    stem = PurePath(name).stem.strip() if name else ""
    return stem or None
