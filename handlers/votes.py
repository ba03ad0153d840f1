"""Vote buttons on a poll, and the reason modal for objections and reservations."""

from __future__ import annotations

import re

from slack_bolt import App

from bot.domain.decisions import POSITIONS_NEEDING_REASON, Position
from bot.domain.errors import DomainError
from bot.services.proposals import check_may, record_vote
from handlers.errors import guarded
from handlers.forms import errors_for, field, metadata
from handlers.middleware import request_key
from handlers.publisher import PollPublisher
from prompts.blocks.poll_modals import reason_modal
from prompts.blocks.polls import VOTE_ACTIONS
from prompts.blocks.replies import vote_receipt
from prompts.ids import PollBlock, PollCallback
from storage.audit import utcnow
from storage.uow import Database

POSITION_OF = {action.value: position for position, action in VOTE_ACTIONS.items()}
VOTE_PATTERN = re.compile("^(" + "|".join(POSITION_OF) + ")$")


def register(app: App, *, db: Database, publisher: PollPublisher) -> None:
    """Listen for vote clicks and reason submissions."""

    @app.action(VOTE_PATTERN)
    @guarded(db)
    def vote(ack, body: dict, action: dict, respond, client):
        position, proposal_id, user = POSITION_OF[action["action_id"]], int(action["value"]), body["user"]["id"]
        if position in POSITIONS_NEEDING_REASON:
            snap = check_may(db, proposal_id=proposal_id, actor=user, to="vote")
            ack()
            client.views_open(trigger_id=body["trigger_id"],
                              view=reason_modal(proposal_id=proposal_id, position=position, title=snap.proposal.title))
            return
        # Ack first so the button answers at once; the request key, claimed in the vote's own
        # transaction, still makes a Slack retry of this click count once.
        ack()
        receipt = record_vote(db, proposal_id=proposal_id, actor=user, position=position, now=utcnow(),
                              request_key=request_key(body))
        if receipt is None:
            return
        publisher.request(proposal_id)
        respond(**vote_receipt(receipt), response_type="ephemeral", replace_original=False)

    @app.view(PollCallback.VOTE_REASON.value)
    @guarded(db)
    def submit_reason(ack, body: dict, view: dict, client):
        meta = metadata(view)
        try:
            receipt = record_vote(db, proposal_id=int(meta["proposal"]), actor=body["user"]["id"],
                                  position=Position(meta["position"]), reason=field(view, PollBlock.REASON),
                                  now=utcnow())
        except DomainError as error:
            ack(**errors_for(error, default=PollBlock.REASON, present={PollBlock.REASON.value}))
            return
        ack()
        publisher.request(int(meta["proposal"]))
        client.chat_postMessage(channel=body["user"]["id"], **vote_receipt(receipt))
