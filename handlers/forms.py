"""Reading modal state and mapping domain errors back onto the field they concern."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.domain.errors import DomainError
from prompts.blocks.replies import modal_error
from prompts.ids import PollAction, PollBlock

VALUE = PollAction.INPUT.value


def field(view: dict, block: PollBlock) -> str:
    """The text, selected option or picked user of an input block ("" when empty)."""
    element = view["state"]["values"].get(block.value, {}).get(VALUE, {})
    if element.get("selected_option"):
        return element["selected_option"]["value"]
    return element.get("value") or element.get("selected_user") or ""


def moment(view: dict, block: PollBlock) -> datetime | None:
    """A datetimepicker's choice as naive UTC."""
    element = view["state"]["values"].get(block.value, {}).get(VALUE, {})
    stamp = element.get("selected_date_time")
    return datetime.fromtimestamp(int(stamp), UTC).replace(tzinfo=None) if stamp else None


def chosen(view: dict, block: PollBlock) -> set[str]:
    """The values ticked in a checkboxes block."""
    element = view["state"]["values"].get(block.value, {}).get(VALUE, {})
    return {o["value"] for o in element.get("selected_options") or []}


def metadata(view: dict) -> dict:
    """The JSON the modal carried in private_metadata."""
    return json.loads(view.get("private_metadata") or "{}")


def errors_for(error: DomainError, *, default: PollBlock, present: set[str]) -> dict:
    """Slack's inline-error answer for a domain error, on its field when the modal has it."""
    block = error.field if error.field in present else default.value
    return {"response_action": "errors", "errors": {block: modal_error(error.message)}}
