"""Typed domain errors; handlers turn each into a clear reply in one place."""


class DomainError(Exception):
    """Something the user asked for cannot be done; the message is safe to show them."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class NotAllowed(DomainError):
    """The user lacks the role the action needs."""


class NotFound(DomainError):
    """A board, organisation or member the user named does not exist."""


class InvalidValue(DomainError):
    """A value the user typed is malformed; `field` names the input when there is one."""


class Conflict(DomainError):
    """The action clashes with what is already recorded (a linked channel, a duplicate name)."""


class UsageError(DomainError):
    """A subcommand was typed with missing or extra words."""

    def __init__(self, message: str, *, usage: str):
        super().__init__(message)
        self.usage = usage
