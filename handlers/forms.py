"""Reading modal state, sealing what a modal carries, and placing domain errors beside their field."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.errors import DomainError
from handlers import parse
from handlers.parse import Malformed, Where
from prompts.errors import form_error
from prompts.ids import INPUT
from prompts.ids.boards import SetupBlock, SetupCallback
from prompts.ids.checklists import ChecklistBlock, ChecklistCallback
from prompts.ids.delegation import DelegationBlock, DelegationCallback
from prompts.ids.polls import PollBlock, PollCallback
from prompts.ids.schedules import ScheduleBlock, ScheduleCallback

MAC_LENGTH = 32
VIEWS_OPEN_SECONDS = 2  # a trigger_id lives 3 s: past this, "try again" still reaches the person in time


def _element(view: dict, block: str) -> dict:
    element = ((view.get("state") or {}).get("values") or {}).get(block, {}).get(INPUT, {})
    if not isinstance(element, dict):
        raise Malformed()
    return element


def field(view: dict, block: str) -> str:
    """The text, selected option or picked user of an input block ("" when empty)."""
    element = _element(view, block)
    option = element.get("selected_option")
    value = option.get("value") if isinstance(option, dict) else (
        element.get("value") or element.get("selected_user") or element.get("selected_conversation")
        or element.get("selected_channel"))
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Malformed()
    return value


def moment(view: dict, block: str) -> datetime | None:
    """A datetimepicker's choice as naive UTC."""
    stamp = _element(view, block).get("selected_date_time")
    if stamp is None:
        return None
    try:
        return datetime.fromtimestamp(int(stamp), UTC).replace(tzinfo=None)
    except (TypeError, ValueError, OverflowError, OSError):
        raise Malformed() from None


def day(view: dict, block: str) -> date | None:
    """A datepicker's choice."""
    picked = _element(view, block).get("selected_date")
    if picked is None:
        return None
    try:
        return date.fromisoformat(picked)
    except (TypeError, ValueError):
        raise Malformed() from None


def clock(view: dict, block: str) -> str:
    """A timepicker's choice as HH:MM ("" when empty)."""
    picked = _element(view, block).get("selected_time") or ""
    if not isinstance(picked, str):
        raise Malformed()
    return picked


def people(view: dict, block: str) -> tuple[str, ...]:
    """The users picked in a multi-user select, in the order picked."""
    users = _element(view, block).get("selected_users") or []
    if not isinstance(users, list) or not all(isinstance(u, str) for u in users):
        raise Malformed()
    return tuple(parse.slack_id(u, first="UW") for u in users)


def chosen(view: dict, block: str) -> set[str]:
    """The values ticked in a checkboxes block."""
    options = _element(view, block).get("selected_options") or []
    if not isinstance(options, list) or not all(isinstance(o, dict) and isinstance(o.get("value"), str)
                                                for o in options):
        raise Malformed()
    return {o["value"] for o in options}


def _quick(client):
    # Bolt's client waits 10 s and retries; a trigger_id lives 3 s, and the command must be answered by then.
    if not isinstance(client, WebClient):
        return client  # a test's fake
    return WebClient(token=client.token, base_url=client.base_url, timeout=VIEWS_OPEN_SECONDS,
                     headers=client.headers, retry_handlers=[])


def open_modal(client, at: Where, view: dict) -> None:
    """Open a modal on the request's trigger (called before anything is written, so a failure changed nothing)."""
    if not at.trigger_id:
        raise Malformed()
    try:
        _quick(client).views_open(trigger_id=at.trigger_id, view=view)
    except SlackApiError as exc:
        raise DomainError(f"Slack wouldn't open the form ({exc.response.get('error')}), so nothing was changed. "
                          "Please try again.") from None
    except OSError:
        raise DomainError("I couldn't reach Slack to open the form, so nothing was changed. "
                          "Please try again in a minute.") from None


def own_form(sealer: Sealer, body: dict) -> tuple[Where, dict, dict]:
    """A submission of a form sealed to its submitter in their workspace: who, the view, what it carries."""
    at, view = parse.submission(body)
    sealed = sealer.open(view)
    if (sealed.get("team"), sealed.get("user")) != (at.team_id, at.user_id):
        raise Malformed()
    return at, view, sealed


def notice_view(content: dict) -> dict:
    """A modal that shows one message and a Close button (what a submission answers with instead of closing)."""
    return {"type": "modal", "title": {"type": "plain_text", "text": "collab-bot"},
            "close": {"type": "plain_text", "text": "Close"}, "blocks": content["blocks"]}


class Sealer:
    """Signs what a modal carries in private_metadata, so a submission can only bring back what the bot put in."""

    def __init__(self, key: bytes):
        self._key = hmac.new(key, b"collab-bot modal metadata", hashlib.sha256).digest()

    def _mac(self, text: str) -> str:
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()[:MAC_LENGTH]

    def seal(self, data: dict) -> str:
        """`data` as private_metadata text with its signature."""
        text = json.dumps(data, sort_keys=True, separators=(",", ":"))
        return self._mac(text) + text

    def open(self, view: dict) -> dict:
        """The data a modal carried; Malformed when it was not sealed by this bot."""
        metadata = view.get("private_metadata")
        if not isinstance(metadata, str) or len(metadata) <= MAC_LENGTH:
            raise Malformed("That form is out of date, so nothing was changed. Open it again and resubmit.")
        mac, text = metadata[:MAC_LENGTH], metadata[MAC_LENGTH:]
        if not hmac.compare_digest(mac, self._mac(text)):
            raise Malformed("That form is out of date, so nothing was changed. Open it again and resubmit.")
        return json.loads(text)


@dataclass(frozen=True)
class Form:
    """Where a modal shows errors: the block for each domain field, and one for everything else."""

    default: str
    blocks: dict[str, str]


P, S = PollBlock, ScheduleBlock
FORMS = {
    SetupCallback.SETUP_BOARD: Form(SetupBlock.BOARD_NAME, {
        "name": SetupBlock.BOARD_NAME, "timezone": SetupBlock.TIMEZONE, "organisation": SetupBlock.ORGANISATION,
        "role": SetupBlock.ROLE, "kind": SetupBlock.BOARD_KIND, "collaboration_type": SetupBlock.COLLABORATION_TYPE,
        "default_rule": SetupBlock.DEFAULT_RULE}),
    PollCallback.PROPOSE: Form(P.TITLE, {
        "title": P.TITLE, "description": P.DESCRIPTION, "category": P.CATEGORY, "amount": P.AMOUNT,
        "closes_at": P.CLOSES_AT, "rule": P.RULE, "threshold": P.THRESHOLD, "quorum": P.QUORUM,
        "options": P.OPTIONS, "org_amounts": P.ORG_AMOUNTS, "marks": P.MARKS}),
    PollCallback.VOTE_REASON: Form(P.REASON, {"reason": P.REASON}),
    PollCallback.DECLARE_INTEREST: Form(P.REASON, {"reason": P.REASON}),
    PollCallback.EXTEND: Form(P.CLOSES_AT, {"closes_at": P.CLOSES_AT}),
    PollCallback.PROXY: Form(P.PROXY_REASON, {
        "proxy_member": P.PROXY_MEMBER, "position": P.PROXY_POSITION, "proxy_reason": P.PROXY_REASON}),
    ScheduleCallback.SETTINGS: Form(S.TIMEZONE, {
        "timezone": S.TIMEZONE, "digest_weekday": S.DIGEST_DAY, "digest_at": S.DIGEST_AT,
        "reminder_hours": S.REMINDER_HOURS}),
    DelegationCallback.CHAIN: Form(f"{DelegationBlock.LEVEL.value}_1_title", {
        f"level_{n}": f"{DelegationBlock.LEVEL.value}_{n}_title" for n in range(1, 7)}),
    DelegationCallback.REVIEWED: Form(DelegationBlock.NOTE, {"note": DelegationBlock.NOTE}),
    DelegationCallback.AUTHORITY: Form(DelegationBlock.LIMIT, {
        "user": DelegationBlock.MEMBER, "category": DelegationBlock.CATEGORY, "limit": DelegationBlock.LIMIT,
        "valid_from": DelegationBlock.VALID_FROM, "from": DelegationBlock.VALID_FROM,
        "valid_until": DelegationBlock.VALID_UNTIL, "until": DelegationBlock.VALID_UNTIL}),
    ChecklistCallback.NOTE: Form(ChecklistBlock.NOTE, {"note": ChecklistBlock.NOTE}),
    ChecklistCallback.EVIDENCE: Form(ChecklistBlock.EVIDENCE, {"evidence": ChecklistBlock.EVIDENCE}),
    DelegationCallback.ANSWER: Form(DelegationBlock.COMMENT, {"comment": DelegationBlock.COMMENT}),
    ScheduleCallback.ADD_REVIEW: Form(S.REVIEW_TITLE, {
        "kind": S.REVIEW_KIND, "title": S.REVIEW_TITLE, "starts_on": S.STARTS_ON, "recurrence": S.RECURRENCE,
        "tell": S.TELL, "ends_on": S.ENDS_ON}),
    ChecklistCallback.ACTION: Form(ChecklistBlock.ACTION_TITLE, {
        "title": ChecklistBlock.ACTION_TITLE, "owner": ChecklistBlock.ACTION_OWNER,
        "due_on": ChecklistBlock.ACTION_DUE}),
}


def inline_errors(callback_id: str, error: DomainError) -> dict:
    """Slack's answer to a submission that shows `error` beside its field."""
    form = FORMS.get(callback_id)
    block = (form.blocks.get(error.field or "", form.default) if form else None) or str(INPUT)
    return {"response_action": "errors", "errors": {str(block): form_error(error)}}
