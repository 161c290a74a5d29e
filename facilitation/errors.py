"""One exception root for the domain; each subclass carries its wire error code."""

from typing import ClassVar


class FacilitationError(Exception):
    """A refused command. The state it was decided against is unchanged."""

    code: ClassVar[str] = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.rows: list[tuple[int, str]] | None = None  # a refused list's problems, by row


class BadRequest(FacilitationError):
    code = "bad_request"


class Unauthorized(FacilitationError):
    code = "unauthorized"


class Forbidden(FacilitationError):
    code = "forbidden"


class NotFound(FacilitationError):
    code = "not_found"


class Conflict(FacilitationError):
    code = "conflict"


class Closed(FacilitationError):
    code = "closed"


class TooLarge(FacilitationError):
    code = "too_large"


def rows_refused(rows: list[tuple[int, str]]) -> BadRequest:
    """A list refused whole, naming every row's problem: `rows` holds (row, reason) pairs."""
    shown = "; ".join(f"row {row}: {reason}" for row, reason in rows[:5])
    more = f"; and {len(rows) - 5} more" if len(rows) > 5 else ""
    error = BadRequest(
        f"{len(rows)} problem(s) in the list, so nothing was imported: {shown}{more}. "
        "Correct the file and import it again."
    )
    error.rows = rows
    return error
