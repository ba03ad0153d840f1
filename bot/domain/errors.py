"""Typed domain errors in plain words with typed parts; prompts/ renders them for Slack, the CLI as plain text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.domain.text import and_list


@dataclass(frozen=True)
class Person:
    """A Slack user, by id."""

    user_id: str


@dataclass(frozen=True)
class People:
    """Several Slack users, said as a list ("A, B and C")."""

    user_ids: tuple[str, ...]


@dataclass(frozen=True)
class Channel:
    """A Slack channel, by id."""

    channel_id: str


@dataclass(frozen=True)
class Name:
    """The name of something people named: a board, an organisation, a checklist, a decision."""

    text: str


@dataclass(frozen=True)
class Command:
    """A command to type, such as `/collab org list`."""

    text: str


# A bare str is text people typed or saw (escaped, not emphasised); an int is a number.
Part = Person | People | Channel | Name | Command | str | int


class DomainError(Exception):
    """Something the user asked for cannot be done; its words are safe to show them once rendered.

    `template` is plain language; each `{key}` in it is filled from `parts` by a renderer (prompts.errors).
    A template without parts is shown as it is, braces and all.
    """

    def __init__(self, template: str, *, field: str | None = None, **parts: Part):
        self.template, self.parts, self.field = template, parts, field
        super().__init__(self.words(plain_part))

    def words(self, show: Callable[[Part], str]) -> str:
        """The message with each part shown by `show`."""
        if not self.parts:
            return self.template
        return self.template.format_map({key: show(part) for key, part in self.parts.items()})

    def __str__(self) -> str:
        return self.words(plain_part)


def plain_part(part: Part) -> str:
    """A part as plain text: a person or channel by id, names and commands as typed."""
    match part:
        case Person(user_id=user_id):
            return user_id
        case People(user_ids=user_ids):
            return and_list(list(user_ids))
        case Channel(channel_id=channel_id):
            return f"#{channel_id}"
        case Name(text=text) | Command(text=text):
            return text
    return str(part)


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

    def __init__(self, template: str, *, usage: str, **parts: Part):
        super().__init__(template, field=None, **parts)
        self.usage = usage
