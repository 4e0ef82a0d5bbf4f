"""ASGI middleware: a request body size limit, and security headers on every response.

The limit is checked on `Content-Length` before anything is read, and again on the bytes as
they arrive (a chunked upload has no length): past the limit the request ends with 413.
Every response, a 500 included, gets a Content-Security-Policy that allows only beltwatch's own scripts, styles
and images (no inline script, no other origin), and `nosniff`; there is no CORS middleware, so
browsers keep other sites' pages from reading the API.
"""

from __future__ import annotations

import json

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from beltwatch.api.errors import error_body

MAX_BODY = 5 * 1024 * 1024  # 5 MB

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        (
            b"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            b"connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        ),
    ),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"request body larger than {limit} bytes")


class Guard:
    """The body limit and the security headers, around the whole application."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _OURS]
                message = {**message, "headers": headers + SECURITY_HEADERS}
            await send(message)

        length = _content_length(scope)
        if length is not None and length > self.max_body:
            await self._too_large(scope, send_with_headers)
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            if started:
                raise
            await self._too_large(scope, send_with_headers)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        message = f"request body larger than {self.max_body} bytes"
        body = json.dumps(error_body(413, message)).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class GuardedApp(FastAPI):
    """FastAPI with the Guard outermost.

    A middleware added with `add_middleware` sits inside Starlette's ServerErrorMiddleware, which
    sends the 500 for an unhandled exception itself: that answer would miss the headers.
    """

    def build_middleware_stack(self) -> ASGIApp:
        return Guard(super().build_middleware_stack(), max_body=self.state.config.max_body)


_OURS = {name for name, _ in SECURITY_HEADERS}


def _content_length(scope: Scope) -> int | None:
    headers: list[tuple[bytes, bytes]] = scope.get("headers", [])
    for key, value in headers:
        if key.lower() == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
