"""The shell's one exception root, carrying the wire code and an HTTP status."""

from typing import Any, Final

from facilitation.errors import FacilitationError

STATUS: Final[dict[str, int]] = {
    "bad_request": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "closed": 409,
    "too_large": 413,
    # A request body still arriving `body_timeout_s` after its head (the connection closes).
    "too_slow": 408,
    "rate_limited": 429,
    "internal": 500,
    # The store cannot be reached (or is gone): nothing was recorded, the
    # connection stays open, and the same command may be sent again shortly.
    "unavailable": 503,
}


class ApiError(Exception):
    """A refused request: `{"error": {"code": code, "message": message}}`."""

    def __init__(self, code: str, message: str, rows: list[tuple[int, str]] | None = None) -> None:
        super().__init__(message)
        self.code, self.message = code, message
        self.rows = rows  # a refused list's problems, row by row

    @property
    def status(self) -> int:
        return STATUS[self.code]

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.rows is not None:
            error["rows"] = [{"row": row, "reason": reason} for row, reason in self.rows]
        return {"error": error}

    @classmethod
    def from_domain(cls, error: FacilitationError) -> "ApiError":
        return cls(error.code, error.message, error.rows)


def refusal(error: ApiError) -> dict[str, Any]:
    """A command's negative ack."""
    return {"ok": False, **error.body()}
