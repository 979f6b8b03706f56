"""Errors raised by services: each carries a Japanese sentence for the user."""

from __future__ import annotations

from collections.abc import Sequence

from aomori_desktop.domain.errors import UserError


class ServiceError(UserError):
    pass


class NotFound(ServiceError):
    pass


class Conflict(ServiceError):
    """The change contradicts what is stored (e.g. a plan already exists)."""


class ValidationError(ServiceError):
    """One or more values are invalid; `problems` lists each with its location."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        if len(self.problems) == 1:
            message = self.problems[0]
        else:
            message = f"{len(self.problems)}件の問題があります:\n" + "\n".join(
                f"・{p}" for p in self.problems
            )
        super().__init__(message)
