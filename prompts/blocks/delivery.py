"""What the chair is told when Slack refuses a checklist report or its chart for good: that thing, and the fix."""

from __future__ import annotations

from bot.domain.text import escape
from prompts.blocks.common import message, section

TOKEN_REFUSED = "Slack refused the bot's token; ask whoever runs collab-bot to check it."
REPORT_FIXES = {
    "not_in_channel": "Invite me with `/invite @collab-bot` in <#{channel}>, then {again}.",
    "channel_not_found": "Invite me with `/invite @collab-bot` in <#{channel}>, then {again}.",
    "is_archived": "<#{channel}> is archived. Unarchive it, then {again}.",
    "invalid_auth": TOKEN_REFUSED,
    "token_revoked": TOKEN_REFUSED,
    "account_inactive": TOKEN_REFUSED,
}


def report_undelivered(what: str, template_id: str, channel_id: str, *, error: str, needed: str | None) -> dict:
    """A checklist report (or its chart) Slack would not take: what failed, what is saved, and the fix."""
    again = f"post it again with `/collab report {escape(template_id)}`"
    if error == "missing_scope":
        scope = f"the `{escape(needed)}` scope" if needed else "the scope Slack names in collab-bot's log"
        fix = (f"The bot's Slack app lacks a permission it needs for this: whoever manages the app should add "
               f"{scope} to its bot scopes (manifest.yml lists them all) and reinstall the app, then {again}.")
    else:
        fix = REPORT_FIXES.get(error, "You can {again}; if Slack refuses it again, ask whoever runs collab-bot "
                                      "to look at its log.").format(channel=channel_id, again=again)
    text = (f":warning: I couldn't post {what} for *{escape(template_id)}* in <#{channel_id}> "
            f"({escape(error)}). The round and every answer in it are saved. {fix}")
    return message([section(text)], text)
