"""A word-level difference between two wordings, for the record's readers."""

from difflib import SequenceMatcher
from typing import Literal, TypedDict

Op = Literal["same", "removed", "added"]


class Change(TypedDict):
    op: Op
    text: str


def word_diff(before: str, after: str) -> list[Change]:
    """`before` turned into `after`, word by word: runs of kept, removed and added words."""
    old, new = before.split(), after.split()
    found: list[Change] = []
    matcher = SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            found.append({"op": "same", "text": " ".join(old[i1:i2])})
            continue
        if i2 > i1:
            found.append({"op": "removed", "text": " ".join(old[i1:i2])})
        if j2 > j1:
            found.append({"op": "added", "text": " ".join(new[j1:j2])})
    return found
