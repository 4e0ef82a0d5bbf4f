"""Request dependencies: the database, a read connection, and the writer check."""

from __future__ import annotations

import hmac
from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.engine import Connection

from beltwatch.api import TOKEN_ENV, ServerConfig
from beltwatch.api.errors import ApiError
from beltwatch.store import Database
from beltwatch.store.database import snapshot


def database(request: Request) -> Database:
    return request.app.state.db


def connection(request: Request) -> Iterator[Connection]:
    """A read connection for one request (one transaction, so one snapshot on PostgreSQL too)."""
    with snapshot(request.app.state.db) as conn:
        yield conn


def writer(request: Request) -> str:
    """The token name of an authorised writer; 403 when writes are disabled, 401 for a missing or wrong token."""
    config: ServerConfig = request.app.state.config
    if not config.token:
        raise ApiError(403, f"writes are disabled: the server was started without {TOKEN_ENV}")
    challenge = {"WWW-Authenticate": 'Bearer realm="beltwatch"'}
    given = request.headers.get("authorization", "")
    scheme, _, value = given.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise ApiError(401, "this needs Authorization: Bearer <token>", challenge)
    if not hmac.compare_digest(value.strip().encode(), config.token.encode()):
        raise ApiError(401, "wrong token", challenge)
    return config.token_name
