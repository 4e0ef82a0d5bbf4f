"""One exception hierarchy: every error knows its exit code and HTTP status."""

from __future__ import annotations


class BeltwatchError(Exception):
    """Base of all beltwatch errors; the message is one line meant for a user."""

    exit_code = 1
    http_status = 500

    def __init__(self, message: str, source: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source

    def __str__(self) -> str:
        return f"{self.source}: {self.message}" if self.source else self.message


class UsageError(BeltwatchError):
    """Bad flags or arguments."""

    exit_code = 2
    http_status = 400


class InputError(BeltwatchError):
    """An article that cannot be read: empty, binary, undecodable, too large."""

    exit_code = 3
    http_status = 422


class KnowledgeError(BeltwatchError):
    """A knowledge file that does not validate."""

    exit_code = 4
    http_status = 500


class StoreError(BeltwatchError):
    """The database cannot be written: the disk is full, or the file or server is read-only."""

    exit_code = 5
    http_status = 503
