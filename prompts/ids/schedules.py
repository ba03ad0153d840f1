"""Ids of the settings and review modals and of review reminders' buttons."""

from enum import StrEnum


class ScheduleCallback(StrEnum):
    """Modal callback ids."""

    SETTINGS = "board_settings"
    ADD_REVIEW = "add_review"


class ScheduleBlock(StrEnum):
    """Input block ids; inline errors are keyed by these."""

    TIMEZONE = "settings_timezone"
    DIGEST_DAY = "settings_digest_day"
    DIGEST_AT = "settings_digest_at"
    REMINDER_HOURS = "settings_reminder_hours"
    WORKING_DAYS = "settings_working_days"
    REVIEW_KIND = "review_kind"
    REVIEW_TITLE = "review_title"
    STARTS_ON = "review_starts_on"
    RECURRENCE = "review_recurrence"
    TELL = "review_tell"
    ENDS_ON = "review_ends_on"
    TEMPLATE = "review_template"
    REVIEW_BUTTONS = "review_buttons"


class ScheduleAction(StrEnum):
    """Action ids of review reminders' buttons."""

    REVIEW_DONE = "review_done"
    REVIEW_SNOOZE = "review_snooze"
