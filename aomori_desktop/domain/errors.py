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
