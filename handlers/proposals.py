"""Putting a proposal: the modal's submission opens the poll."""

from __future__ import annotations

from slack_bolt import App

from bot.domain.boards import DecisionRule
from bot.domain.errors import DomainError
from bot.domain.money import parse_amount
from bot.services.proposals import create_proposal
from handlers.errors import guarded
from handlers.forms import chosen, errors_for, field, metadata, moment
from handlers.publisher import PollPublisher
from prompts.ids import PollBlock, PollCallback
from storage.audit import utcnow
from storage.uow import Database

PROPOSE_BLOCKS = {b.value for b in PollBlock}


def register(app: App, *, db: Database, publisher: PollPublisher) -> None:
    """Listen for the proposal modal's submission."""

    @app.view(PollCallback.PROPOSE.value)
    @guarded(db)
    def submit_proposal(ack, body: dict, view: dict):
        user = body["user"]
        try:
            closes_at = moment(view, PollBlock.CLOSES_AT)
            if closes_at is None:
                raise DomainError("Choose when the poll closes.", field=PollBlock.CLOSES_AT.value)
            proposal_id = create_proposal(
                db, team_id=user.get("team_id") or body["team"]["id"], channel_id=metadata(view)["channel"],
                actor=user["id"], request_key=f"view:{view['id']}", title=field(view, PollBlock.TITLE),
                description=field(view, PollBlock.DESCRIPTION), category=field(view, PollBlock.CATEGORY),
                amount=parse_amount(field(view, PollBlock.AMOUNT)), closes_at=closes_at,
                rule=DecisionRule(field(view, PollBlock.RULE)), threshold=field(view, PollBlock.THRESHOLD),
                quorum=field(view, PollBlock.QUORUM), options=chosen(view, PollBlock.OPTIONS), now=utcnow(),
            )
        except DomainError as error:
            ack(**errors_for(error, default=PollBlock.TITLE, present=PROPOSE_BLOCKS))
            return
        ack()
        publisher.request(proposal_id)
