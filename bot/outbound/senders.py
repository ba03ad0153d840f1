"""What each kind of outbox job does in Slack, and what the dispatcher records when one is sent or fails."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.clock import Clock
from bot.domain.effects import Kind
from bot.domain.escalation import EscalationState
from bot.domain.events import Notice, Route
from bot.domain.jobs import ClaimedJob, Outcome, OutcomeKind, SendFailure
from bot.domain.proposals import InterestDecision, Status
from bot.domain.reviews import ReviewKind
from bot.outbound.client import Sender
from bot.outbound.notices import deliver, render, webhook
from bot.outbound.senders_actions import action_senders
from bot.outbound.senders_checklists import checklist_senders
from bot.services import boards, chains, digests, escalations, polls, reviews, rounds, schedules
from prompts.blocks.chains import delegated_blocks
from prompts.blocks.common import section
from prompts.blocks.delivery import digest_undelivered, reminder_undelivered, report_undelivered
from prompts.blocks.digest import digest_message
from prompts.blocks.escalations import ask_message
from prompts.blocks.home import home_view
from prompts.blocks.polls import interest_decided, interest_request, outcome_message, poll_message
from prompts.blocks.replies import board_created, board_unannounced, delivery_failed
from prompts.blocks.reviews import review_reminder
from storage.uow import Database, UnitOfWork

log = logging.getLogger(__name__)
KEEP_REQUEST_KEYS = timedelta(days=1)
KEEP_FINISHED_JOBS = timedelta(days=7)  # their keys make a repeated event harmless, so keep them a while


class NotYet(Exception):
    """A job that depends on another not yet done (an outcome before its poll is posted): retried shortly."""


def _post_joining(client: WebClient, channel: str, content: dict, **extra) -> dict:
    try:
        return client.chat_postMessage(channel=channel, **content, **extra)
    except SlackApiError as exc:
        if exc.response.get("error") != "not_in_channel":
            raise
        client.conversations_join(channel=channel)
        return client.chat_postMessage(channel=channel, **content, **extra)


def senders(client: WebClient, db: Database, clock: Clock) -> dict[str, Sender]:
    """Every job kind's sender, calling Slack through `client` (which must not retry 429s or 5xx itself)."""

    def render_poll(job: ClaimedJob) -> dict:
        snap = polls.read_poll(db, job.job.payload["proposal"])
        content = poll_message(snap)
        if snap.message_ts is not None:
            try:
                client.chat_update(channel=snap.channel_id, ts=snap.message_ts, **content)
                return {"ts": snap.message_ts}
            except SlackApiError as exc:
                if exc.response.get("error") != "message_not_found":
                    raise
        return {"ts": _post_joining(client, snap.channel_id, content)["ts"], "posted": True}

    def post_outcome(job: ClaimedJob) -> dict | None:
        snap = polls.read_poll(db, job.job.payload["proposal"])
        if snap.proposal.status is not Status.CLOSED:
            return None
        if snap.message_ts is None:
            raise NotYet("the poll message is not posted yet")
        answer = client.chat_postMessage(channel=snap.channel_id, thread_ts=snap.message_ts, reply_broadcast=True,
                                         **outcome_message(snap))
        return {"ts": answer["ts"]}

    def ask_chair(job: ClaimedJob) -> dict:
        snap = polls.read_poll(db, job.job.payload["proposal"])
        answer = client.chat_postMessage(channel=snap.channel_id, thread_ts=snap.message_ts,
                                         **interest_request(snap, job.job.payload["user"]))
        return {"ts": answer["ts"]}

    def show_decision(job: ClaimedJob) -> dict | None:
        p, chair = job.job.payload, Route(**job.job.payload["chair"])
        if chair.response_url:
            webhook(chair.response_url, {**interest_decided(p["user"], InterestDecision(p["decision"]), chair.user_id),
                                         "replace_original": True})
        return None

    def notify(job: ClaimedJob) -> dict:
        p = job.job.payload
        to = Route(**p["to"])
        return deliver(client, to, render(p["what"], p["data"], to=to, db=db))

    def announce(job: ClaimedJob) -> dict:
        founder = Route(**job.job.payload["founder"])
        board = boards.list_members(db, team_id=founder.team_id, channel_id=founder.channel_id)
        return {"ts": _post_joining(client, founder.channel_id, board_created(board))["ts"]}

    def refresh_home(job: ClaimedJob) -> None:
        team, user = job.job.payload["team"], job.job.payload["user"]
        client.views_publish(user_id=user, view=home_view(boards.seats(db, team_id=team, user_id=user)))

    def close_poll(job: ClaimedJob) -> dict:
        return {"closed": polls.close_if_due(db, proposal_id=job.job.payload["proposal"], now=clock.now())}

    def prune(job: ClaimedJob) -> dict:
        now = clock.now()
        with db.uow() as uow:
            keys = uow.requests.prune(now - KEEP_REQUEST_KEYS)
            jobs = uow.outbox.prune(before=now - KEEP_FINISHED_JOBS)
            uow.commit()
        return {"request_keys": keys, "jobs": jobs}

    def remind(job: ClaimedJob) -> dict:
        return {"reminded": schedules.remind_non_voters(db, proposal_id=job.job.payload["proposal"],
                                                        now=clock.now())}

    def post_review(job: ClaimedJob) -> dict | None:
        found = reviews.get_review(db, job.job.payload["review"])
        if found is None:
            return None
        board, review = found
        content = review_reminder(review, board_name=board.name, timezone=board.timezone)
        if review.kind is ReviewKind.REASSESSMENT and review.template_id:
            rounds.open_scheduled(db, board_id=board.id, template_id=review.template_id, now=clock.now())
        if review.kind is ReviewKind.DELEGATED:  # the retrospective review: post the queue with its risks
            queue = chains.queue_of_board(db, board.id)
            content["blocks"] += delegated_blocks(board, queue, limit=40) or [
                section("No decisions taken under delegation are waiting for review.")]
        if reviews.tells_channel(review):
            return {"ts": _post_joining(client, board.channel_id, content)["ts"]}
        return {"ts": client.chat_postMessage(channel=review.tell, **content)["ts"]}

    def post_digest(job: ClaimedJob) -> dict:
        p, now = job.job.payload, clock.now()
        digest = digests.build(db, board_id=p["board"], now=now)
        if digest is None:
            return {"skipped": "the board is gone"}
        s, board = digest.board.settings, digest.board
        if (s.digest_weekday, s.digest_at.strftime("%H:%M"), board.timezone) != (p["weekday"], p["at"],
                                                                                  p["timezone"]):
            return {"skipped": "the board's digest settings changed"}
        return {"ts": _post_joining(client, board.channel_id, digest_message(digest))["ts"]}

    def replace(job: ClaimedJob) -> dict:
        p = job.job.payload
        to = Route(**p["to"])
        content = render(p["what"], p["data"], to=to, db=db)
        if content is not None and to.response_url:
            webhook(to.response_url, {**content, "replace_original": True})
        return {"replaced": content is not None and bool(to.response_url)}

    def ask_approver(job: ClaimedJob) -> dict | None:
        p = job.job.payload
        e, proposal, board = escalations.read(db, p["escalation"])
        if e.state is not EscalationState.OPEN:
            return None  # answered or withdrawn before this request went out
        content = ask_message(e, proposal, board, reminder=p["reminder"])
        if p["to"][0] in "CG":  # a level answered in a channel
            return {"ts": _post_joining(client, p["to"], content)["ts"]}
        return {"ts": client.chat_postMessage(channel=p["to"], **content)["ts"]}

    def escalation_due(job: ClaimedJob) -> dict:
        p = job.job.payload
        step = escalations.on_due(db, escalation_id=p["escalation"], due=datetime.fromisoformat(p["due"]),
                                  now=clock.now())
        return {"step": step.value if step else None}

    return {
        **checklist_senders(client, db, clock),
        **action_senders(client, db, clock),
        Kind.ESCALATION_ASK: Sender("chat.postMessage", ask_approver),
        Kind.ESCALATION_DUE: Sender("database", escalation_due),
        Kind.POLL_REMIND: Sender("database", remind),
        Kind.REVIEW_DUE: Sender("chat.postMessage", post_review),
        Kind.DIGEST: Sender("chat.postMessage", post_digest),
        Kind.REPLACE: Sender("response_url", replace),
        Kind.POLL_RENDER: Sender("chat.update", render_poll),
        Kind.POLL_OUTCOME: Sender("chat.postMessage", post_outcome),
        Kind.INTEREST_ASKED: Sender("chat.postMessage", ask_chair),
        Kind.INTEREST_DECIDED: Sender("response_url", show_decision),
        Kind.NOTICE: Sender("chat.postEphemeral", notify),
        Kind.BOARD_ANNOUNCE: Sender("chat.postMessage", announce),
        Kind.HOME: Sender("views.publish", refresh_home),
        Kind.POLL_CLOSE: Sender("database", close_poll),
        Kind.PRUNE: Sender("database", prune),
    }


def lock_first(uow: UnitOfWork, runs: list[tuple[ClaimedJob, Outcome]]) -> None:
    """Before the dispatcher locks outbox rows, lock what on_sent and on_failed will write, in the lock order
    (storage/outbox.py): the proposals whose poll was posted, the reviews reminded of, then the audit head."""
    sent = [claimed for claimed, outcome in runs if outcome.kind is OutcomeKind.SENT]
    failed = [claimed for claimed, outcome in runs if outcome.kind is OutcomeKind.FAILED]
    uow.proposals.lock(sorted({c.job.payload["proposal"] for c, outcome in runs if c.job.kind == Kind.POLL_RENDER
                               and outcome.kind is OutcomeKind.SENT and (outcome.result or {}).get("posted")}))
    for review_id in sorted({c.job.payload["review"] for c in sent + failed if c.job.kind == Kind.REVIEW_DUE}):
        uow.reviews.get(review_id, lock=True)
    if failed:
        uow.audit.lock_head()


def on_sent(uow: UnitOfWork, claimed: ClaimedJob, result: dict | None) -> None:
    """Keep what a send tells us (where a poll message is) and what follows it (a review's next reminder)."""
    if claimed.job.kind == Kind.POLL_RENDER and result and result.get("posted"):
        uow.proposals.set_message(claimed.job.payload["proposal"], result["ts"])
        # An outcome that found no poll to reply under is waiting out a backoff: it can go now.
        uow.outbox.bring_forward(f"{Kind.POLL_OUTCOME}:{claimed.job.payload['proposal']}", now=uow.clock.now())
    if claimed.job.kind == Kind.REVIEW_DUE and not claimed.job.payload.get("snooze"):
        reviews.advance(uow, claimed.job.payload["review"], now=uow.clock.now(),
                        sent_for=datetime.fromisoformat(claimed.job.payload["due"]))


def on_failed(uow: UnitOfWork, claimed: ClaimedJob, failure: SendFailure) -> None:
    """A job failed for good: audit it, and tell the person who can fix it, once."""
    job, now, error = claimed.job, uow.clock.now(), failure.code
    uow.audit.append(actor="collab-bot", action="slack.failed", at=now,
                     payload={"kind": job.kind, "key": job.key, "error": error, "method": failure.method})
    if job.kind == Kind.REVIEW_DUE and not job.payload.get("snooze"):
        # The series carries on: a reminder that could not be posted does not stop next year's.
        reviews.advance(uow, job.payload["review"], now=now, sent_for=datetime.fromisoformat(job.payload["due"]))
    tell = _who_to_tell(uow, job.kind, job.payload, failure)
    if tell is not None:
        to, content = tell
        uow.record(Notice(now, to, "message", content, key=f"failed:{job.key}"))
    log.warning("gave up on %s (%s): %s refused it: %s%s", job.kind, job.key, failure.method or "Slack", error,
                f" (it needs the {failure.needed} scope)" if failure.needed else "")


def _who_to_tell(uow: UnitOfWork, kind: str, payload: dict, failure: SendFailure) -> tuple[Route, dict] | None:
    error = failure.code
    if kind == Kind.BOARD_ANNOUNCE:
        founder = Route(**payload["founder"])
        board = uow.boards.get(payload["board"])
        return founder, board_unannounced(board.name, founder.channel_id, error)
    if kind in (Kind.POLL_RENDER, Kind.POLL_OUTCOME, Kind.INTEREST_ASKED):
        proposal = uow.proposals.get(payload["proposal"], with_votes=False)
        board = uow.boards.get(proposal.board_id, only=[])
        what = {Kind.POLL_RENDER: "the poll", Kind.POLL_OUTCOME: "the outcome",
                Kind.INTEREST_ASKED: "the declared interest"}[kind]
        return Route(board.team_id, proposal.proposer), delivery_failed(what, proposal.title, proposal.channel_id,
                                                                       error)
    if kind == Kind.REVIEW_DUE:
        review = uow.reviews.get(payload["review"])
        board = uow.boards.get(review.board_id, only=[]) if review else None
        if board is not None:
            return Route(board.team_id, review.created_by), reminder_undelivered(
                review.title, board.channel_id, error=error, needed=failure.needed)
    if kind == Kind.ESCALATION_ASK:
        e = uow.escalations.get(payload["escalation"])
        proposal = uow.proposals.get(e.proposal_id, with_votes=False) if e else None
        board = uow.boards.get(proposal.board_id) if proposal else None
        chair = next((m.user_id for m in board.managers()), proposal.proposer) if board else None
        if chair is not None:
            return Route(board.team_id, chair), delivery_failed(
                f"the request for {e.organisation}'s sign-off", proposal.title, proposal.channel_id, error)
    if kind in (Kind.REPORT_POST, Kind.REPORT_CHART):
        r = uow.checklist_rounds.get(payload["round"])
        board = uow.boards.get(r.board_id) if r else None
        chair = next((m.user_id for m in board.managers()), None) if board else None
        if chair is not None:
            what = "the checklist report" if kind == Kind.REPORT_POST else "the checklist report's chart"
            return Route(board.team_id, chair), report_undelivered(what, r.template_id, board.channel_id,
                                                                   error=error, needed=failure.needed)
    if kind == Kind.DIGEST:
        board = uow.boards.get(payload["board"])
        chair = next((m.user_id for m in board.managers()), None) if board else None
        if chair is not None:
            return Route(board.team_id, chair), digest_undelivered(board.name, board.channel_id, error=error,
                                                                   needed=failure.needed)
    return None  # a failed notice or Home refresh is to the one person it was for: logged and audited only


