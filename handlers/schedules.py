"""Board settings, adding a review, and the Done and Snooze buttons of a review reminder."""

from __future__ import annotations

from slack_bolt import App

from bot.domain.errors import InvalidValue
from bot.domain.reviews import CHANNEL, RECURRENCE_CHOICES, BoardSettings, ReviewKind, check_lead, parse_clock
from bot.services import reviews, schedules
from handlers import parse
from handlers.deps import deps_of
from handlers.forms import chosen, clock, day, field, notice_view, own_form
from prompts.blocks.reviews import review_added
from prompts.blocks.schedules import OFF, SKIP, settings_saved
from prompts.ids.schedules import ScheduleAction, ScheduleBlock, ScheduleCallback

S = ScheduleBlock


def _settings(view: dict) -> BoardSettings:
    weekday = field(view, S.DIGEST_DAY)
    try:
        hours = int(field(view, S.REMINDER_HOURS) or "24")
        digest_weekday = None if weekday == OFF else int(weekday)
    except ValueError:
        raise InvalidValue("Choose one of the options offered.", field="digest_weekday") from None
    if digest_weekday is not None and not 0 <= digest_weekday <= 6:
        raise InvalidValue("Choose a day of the week, or no digest.", field="digest_weekday")
    return BoardSettings(digest_weekday=digest_weekday, digest_at=parse_clock(clock(view, S.DIGEST_AT) or "09:00",
                                                                               field_name="digest_at"),
                         reminder_hours=check_lead(hours), skip_holidays=SKIP in chosen(view, S.WORKING_DAYS))


def submit_settings(ack, body: dict, context) -> None:
    """Save the board's settings (chair or secretary) and show what they now are."""
    deps = deps_of(context)
    at, view, sealed = own_form(deps.sealer, body)
    board = schedules.save_settings(deps.db, team_id=at.team_id, channel_id=parse.slack_id(
        sealed.get("channel"), first="CG"), actor=at.user_id, timezone=field(view, S.TIMEZONE),
        settings=_settings(view), now=deps.clock.now())
    ack(response_action="update", view=notice_view(settings_saved(board)))


def submit_review(ack, body: dict, context) -> None:
    """Add a recurring review reminder (chair or secretary)."""
    deps = deps_of(context)
    at, view, sealed = own_form(deps.sealer, body)
    try:
        kind = ReviewKind(field(view, S.REVIEW_KIND))
        recurrence = RECURRENCE_CHOICES[field(view, S.RECURRENCE)]
    except (ValueError, KeyError):
        raise InvalidValue("Choose one of the options offered.", field="kind") from None
    tell = CHANNEL
    if field(view, S.TELL) != CHANNEL:
        owner = field(view, f"{S.TELL.value}_owner")
        if not owner:
            raise InvalidValue("Choose the person to tell, or tell the board's channel.", field="tell")
        tell = parse.slack_id(owner, first="UW")
    starts_on, ends_on = day(view, S.STARTS_ON), day(view, S.ENDS_ON)
    if starts_on is None:
        raise InvalidValue("Choose the date of the first reminder.", field="starts_on")
    if kind is ReviewKind.NOTICE and ends_on is None:
        raise InvalidValue("A notice period needs the date it ends.", field="ends_on")
    review = reviews.add_review(deps.db, team_id=at.team_id, channel_id=parse.slack_id(sealed.get("channel"),
                                                                                       first="CG"),
                                actor=at.user_id, kind=kind, title=field(view, S.REVIEW_TITLE), starts_on=starts_on,
                                recurrence=recurrence, tell=tell, ends_on=ends_on, now=deps.clock.now(),
                                template_id=field(view, S.TEMPLATE) or None)
    board, _ = reviews.get_review(deps.db, review.id)
    ack(response_action="update", view=notice_view(review_added(review, board.timezone)))


def answer_review(ack, body: dict, context) -> None:
    """Done, or Remind me in a week, on a review reminder; the reminder then shows what was done."""
    deps = deps_of(context)
    at, action_id, value = parse.click(body)
    review_id, now = parse.record_id(value), deps.clock.now()
    if action_id == ScheduleAction.REVIEW_DONE:
        reviews.mark_done(deps.db, team_id=at.team_id, review_id=review_id, actor=at.user_id, now=now,
                          reply_to=at.route())
    else:
        reviews.snooze(deps.db, team_id=at.team_id, review_id=review_id, actor=at.user_id, now=now,
                       reply_to=at.route())
    ack()


def register(app: App) -> None:
    """Listen for the settings and review modals and the review buttons."""
    app.view(ScheduleCallback.SETTINGS.value)(submit_settings)
    app.view(ScheduleCallback.ADD_REVIEW.value)(submit_review)
    app.action(ScheduleAction.REVIEW_DONE.value)(answer_review)
    app.action(ScheduleAction.REVIEW_SNOOZE.value)(answer_review)
