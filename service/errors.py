"""The one error shape every failure of the API takes: ``{"error": code, "message": one line}``."""

from __future__ import annotations

from starlette.exceptions import HTTPException


class ApiError(HTTPException):
    """A client-facing error with a stable machine-readable ``code`` and a one-line message.

    It subclasses Starlette's HTTPException so that it passes untouched through FastAPI's body
    parsing (which turns other exceptions into a generic 400).
    """

    def __init__(self, status_code: int, code: str, message: str) -> None:
        self.code = code
        self.message = one_line(message)
        super().__init__(status_code=status_code, detail=self.message)


def one_line(text: str, *, limit: int = 300) -> str:
    """Collapse whitespace to one line and cap its length."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def too_large(code: str, message: str) -> ApiError:
    return ApiError(413, code, message)


def bad_request(code: str, message: str) -> ApiError:
    return ApiError(400, code, message)
