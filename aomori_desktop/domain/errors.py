"""Errors that carry a Japanese sentence for the user."""

from __future__ import annotations


class UserError(Exception):
    """Base of every error whose `message` is shown to the user as is (never a traceback)."""

    message: str

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidInput(UserError, ValueError):
    """A typed value cannot be accepted; `message` is the Japanese sentence shown to the user."""


class Interrupted(UserError):
    """A write that did not happen for a reason outside what the user entered (the connection
    to the server broke, the server did not answer in time): nothing of it was stored, and
    what was typed is not at fault, so the views show what is stored rather than keep the
    typed text marked as refused."""
