"""How a connector says what went wrong, classified once, where the backend's meaning is known."""

from __future__ import annotations

import enum


class ErrorKind(enum.StrEnum):
    TRANSIENT = "transient"  # network, 5xx, 429: retry later (honouring retry_after)
    PERMANENT = "permanent"  # the backend refused this item: dead, shown with a Retry button
    AUTH = "auth"  # the credentials no longer work: pause the whole target, ask to sign in again


class SyncError(Exception):
    """A classified failure. `message` is written for the person (it is shown in the library)."""

    def __init__(self, kind: ErrorKind, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"SyncError({self.kind.value}, {self.message!r}, retry_after={self.retry_after})"


def transient(message: str, retry_after: float | None = None) -> SyncError:
    return SyncError(ErrorKind.TRANSIENT, message, retry_after=retry_after)


def permanent(message: str) -> SyncError:
    return SyncError(ErrorKind.PERMANENT, message)


def auth(message: str) -> SyncError:
    return SyncError(ErrorKind.AUTH, message)


class NotSupportedError(Exception):
    """The backend cannot do this (edit, retract, replies, feed); the message says what stays online."""
