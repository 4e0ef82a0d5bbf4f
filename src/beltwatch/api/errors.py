"""One error shape for every API error, and the HTML page for the same errors on the dashboard.

Every error under `/api` answers `{"error": {"status": <int>, "message": <str>}}` with that
status: unknown routes and methods, validation failures, beltwatch errors (their `http_status`),
authentication, body size, values the database cannot hold (a 422: an id of 40 digits, a NUL
character), and unexpected exceptions (a 500 that names no internals).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from beltwatch.errors import BeltwatchError
from beltwatch.store.corrections import NotFoundError

__all__ = ["ApiError", "ErrorBody", "NotFoundError", "error_body", "error_responses", "install"]

log = logging.getLogger("beltwatch.api")


class ApiError(StarletteHTTPException):
    """An HTTP error with a one-line message (and optional headers, e.g. WWW-Authenticate)."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(status_code=status, detail=message, headers=headers)


def error_body(status: int, message: str) -> dict[str, Any]:
    return {"error": {"status": status, "message": message}}


class ErrorDetail(BaseModel):
    status: int
    message: str


class ErrorBody(BaseModel):
    """Every error the API answers, whatever its status."""

    error: ErrorDetail


WHEN = {
    400: "The body cannot be read: not JSON or form data, or an upload's file name without a known suffix.",
    401: "A write without `Authorization: Bearer <token>`, or with a wrong token.",
    403: "Writes are disabled: the server was started without a token.",
    404: "What the request names does not exist.",
    409: "The correction conflicts with the current state (e.g. the event is already marked so).",
    413: "The request body is larger than the server's limit (5 MB by default).",
    422: "A parameter or the body does not match this document, or the content cannot be read.",
    500: "An unexpected failure; the message names no internals.",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI `responses` entries of these error statuses, all in the one error shape."""
    return {status: {"model": ErrorBody, "description": WHEN[status]} for status in statuses}


def _wants_json(request: Request) -> bool:
    return request.url.path == "/api" or request.url.path.startswith("/api/")


def render(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if _wants_json(request):
        return JSONResponse(error_body(status, message), status_code=status, headers=headers)
    from beltwatch.web import render_error

    return render_error(request, status, message, headers)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        where = ".".join(str(p) for p in err.get("loc", ()) if p not in ("body",)) or "request"
        parts.append(f"{where}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def install(app: FastAPI) -> None:
    """Register the handlers that turn every error into the shape above."""

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        message = exc.detail if isinstance(exc.detail, str) else _default_message(exc.status_code)
        if exc.status_code == 404 and message == "Not Found":
            message = f"no such resource: {request.url.path}"
        elif exc.status_code == 405 and message == "Method Not Allowed":
            message = f"method {request.method} not allowed on {request.url.path}"
        return render(request, exc.status_code, message, getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        return render(request, 422, _validation_message(exc))

    @app.exception_handler(BeltwatchError)
    async def beltwatch_error(request: Request, exc: BeltwatchError) -> Response:
        return render(request, exc.http_status, exc.message if exc.http_status < 500 else "internal error")

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def out_of_range(request: Request, exc: Exception) -> Response:
        # a value the client sent that the database cannot hold: a 40-digit id, a NUL in a string
        return render(request, 422, "a value in the request is out of range or not valid for the database")

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return render(request, 500, "internal error")


def _default_message(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "error"
