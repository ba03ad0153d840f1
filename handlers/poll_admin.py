"""Poll management: declared interests and recusal, proxy votes, extending, closing and withdrawing."""

from __future__ import annotations

import json

from slack_bolt import App

from bot.domain.decisions import Position
from bot.domain.errors import DomainError, InvalidValue
from bot.services import proposals as svc
from handlers.errors import guarded
from handlers.forms import errors_for, field, metadata, moment
from handlers.publisher import PollPublisher
from prompts.blocks.poll_modals import extend_modal, interest_modal, proxy_modal
from prompts.blocks.polls import interest_decided, interest_request
from prompts.ids import PollAction, PollBlock, PollCallback
from storage.audit import utcnow
from storage.uow import Database

PROXY_BLOCKS = {PollBlock.PROXY_MEMBER.value, PollBlock.PROXY_POSITION.value, PollBlock.PROXY_REASON.value}


def register(app: App, *, db: Database, publisher: PollPublisher) -> None:
    """Listen for the poll's management buttons and their modals."""

    def opener(action_id: PollAction, to: str, build):
        @app.action(action_id.value)
        @guarded(db)
        def open_modal(ack, body: dict, action: dict, client):
            snap = svc.check_may(db, proposal_id=int(action["value"]), actor=body["user"]["id"], to=to)
            ack()
            client.views_open(trigger_id=body["trigger_id"], view=build(snap))

    opener(PollAction.DECLARE_INTEREST, "read",
           lambda s: interest_modal(proposal_id=s.proposal.id, title=s.proposal.title))
    opener(PollAction.PROXY, "chair", lambda s: proxy_modal(proposal_id=s.proposal.id))
    opener(PollAction.EXTEND, "steer",
           lambda s: extend_modal(proposal_id=s.proposal.id, closes_at=s.proposal.closes_at))

    def closer(action_id: PollAction, withdraw: bool):
        @app.action(action_id.value)
        @guarded(db)
        def close(ack, body: dict, action: dict):
            proposal_id = int(action["value"])
            svc.close_now(db, proposal_id=proposal_id, actor=body["user"]["id"], now=utcnow(), withdraw=withdraw)
            ack()
            publisher.request(proposal_id)

    closer(PollAction.CLOSE_NOW, withdraw=False)
    closer(PollAction.WITHDRAW, withdraw=True)

    def submission(callback: PollCallback, default: PollBlock, present: set[str], run):
        @app.view(callback.value)
        @guarded(db)
        def submitted(ack, body: dict, view: dict, client):
            proposal_id = int(metadata(view)["proposal"])
            try:
                after = run(proposal_id, body["user"]["id"], view)
            except DomainError as error:
                ack(**errors_for(error, default=default, present=present))
                return
            ack()
            publisher.request(proposal_id)
            if after:
                after(client)

    def declare(proposal_id: int, user: str, view: dict):
        if not svc.declare_interest(db, proposal_id=proposal_id, actor=user, reason=field(view, PollBlock.REASON),
                                    now=utcnow()):
            return None
        snap = svc.check_may(db, proposal_id=proposal_id, actor=user, to="read")
        return lambda client: client.chat_postMessage(channel=snap.channel_id, thread_ts=snap.message_ts,
                                                      **interest_request(snap, user))

    def extend(proposal_id: int, user: str, view: dict):
        closes_at = moment(view, PollBlock.CLOSES_AT)
        if closes_at is None:
            raise InvalidValue("Choose the new closing time.", field=PollBlock.CLOSES_AT.value)
        svc.extend(db, proposal_id=proposal_id, actor=user, closes_at=closes_at, now=utcnow())

    def proxy(proposal_id: int, user: str, view: dict):
        member = field(view, PollBlock.PROXY_MEMBER)
        if not member:
            raise InvalidValue("Choose the member you are voting for.", field=PollBlock.PROXY_MEMBER.value)
        svc.record_proxy(db, proposal_id=proposal_id, actor=user, for_user=member,
                         position=Position(field(view, PollBlock.PROXY_POSITION)),
                         reason=field(view, PollBlock.PROXY_REASON), now=utcnow())

    submission(PollCallback.DECLARE_INTEREST, PollBlock.REASON, {PollBlock.REASON.value}, declare)
    submission(PollCallback.EXTEND, PollBlock.CLOSES_AT, {PollBlock.CLOSES_AT.value}, extend)
    submission(PollCallback.PROXY, PollBlock.PROXY_REASON, PROXY_BLOCKS, proxy)

    def decider(action_id: PollAction, recuse: bool):
        @app.action(action_id.value)
        @guarded(db)
        def decide(ack, body: dict, action: dict, respond):
            target = json.loads(action["value"])
            decision = svc.decide_interest(db, proposal_id=target["proposal"], actor=body["user"]["id"],
                                           user_id=target["user"], recuse=recuse, now=utcnow())
            ack()
            publisher.request(target["proposal"])
            respond(**interest_decided(target["user"], decision, body["user"]["id"]), replace_original=True)

    decider(PollAction.RECUSE, recuse=True)
    decider(PollAction.ALLOW, recuse=False)
