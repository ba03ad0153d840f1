"""The outbox dispatcher: claim due jobs, call Slack, record the outcome; pacing, 429 pauses, retries, failures."""

from bot.dispatch.dispatcher import Dispatcher
from bot.dispatch.senders import Sender, dispatch_client, failure_of

__all__ = ["Dispatcher", "Sender", "dispatch_client", "failure_of"]
