"""One exception root for the domain; each subclass carries its wire error code."""

from typing import ClassVar


class FacilitationError(Exception):
    """A refused command. The state it was decided against is unchanged."""

    code: ClassVar[str] = "bad_request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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
