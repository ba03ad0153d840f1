"""What each event must cause in Slack, as outbox jobs: the one place effects are wired."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.events import (
    ActionScheduled,
    BoardCreated,
    DeadlineSet,
    EscalationAsked,
    EscalationEnded,
    Event,
    InterestDecided,
    InterestDeclared,
    MembershipChanged,
    Notice,
    OutcomeSettled,
    PollChanged,
    PollClosed,
    Replaced,
    ReportRequested,
    ReviewScheduled,
    RoundOpened,
)
from bot.domain.jobs import Job

REDRAW_SPACING = timedelta(seconds=1)  # chat.update is Tier 3: about one a second per message is plenty
HOME_SPACING = timedelta(seconds=2)


class Kind(StrEnum):
    """The kinds of job, each handled by one sender."""

    POLL_RENDER = "poll.render"
    POLL_OUTCOME = "poll.outcome"
    POLL_CLOSE = "poll.close"
    INTEREST_ASKED = "poll.interest"
    INTEREST_DECIDED = "interest.decided"
    NOTICE = "notice"
    BOARD_ANNOUNCE = "board.announce"
    HOME = "home.refresh"
    PRUNE = "requests.prune"
    POLL_REMIND = "poll.remind"
    REVIEW_DUE = "review.due"
    DIGEST = "board.digest"
    REPLACE = "message.replace"
    ESCALATION_ASK = "escalation.ask"
    ESCALATION_DUE = "escalation.due"
    ROUND_CLOSE = "round.close"
    ROUND_REMIND = "round.remind"
    REPORT_POST = "report.post"
    REPORT_CHART = "report.chart"
    ACTION_REMIND = "action.remind"
    ACTION_OVERDUE = "action.overdue"


@dataclass(frozen=True)
class Reschedule:
    """Move a pending job to a new due time."""

    key: str
    due_at: datetime


@dataclass(frozen=True)
class Cancel:
    """A pending job is no longer needed."""

    key: str


Effect = Job | Reschedule | Cancel


def close_key(proposal_id: int) -> str:
    """The key of a poll's deadline job."""
    return f"{Kind.POLL_CLOSE}:{proposal_id}"


def remind_key(proposal_id: int) -> str:
    """The key of the job that reminds a poll's non-voters before it closes."""
    return f"{Kind.POLL_REMIND}:{proposal_id}"


def due_key(escalation_id: int, due_at: datetime) -> str:
    """The key of an escalation's timer for one due moment."""
    return f"{Kind.ESCALATION_DUE}:{escalation_id}:{due_at.isoformat()}"


def _render(proposal_id: int, at: datetime) -> Job:
    # A redraw is chat.update of one message: its own spacing paces it, not the channel's budget for posts
    # (its first draw is a post, and a poll's first post is one of a handful in a channel).
    return Job(Kind.POLL_RENDER, f"{Kind.POLL_RENDER}:{proposal_id}", at, {"proposal": proposal_id},
               redraw=True, spacing=REDRAW_SPACING)


def effects_of(event: Event) -> list[Effect]:
    """The jobs (and changes to pending jobs) one event causes."""
    match event:
        case PollChanged(at=at, proposal_id=pid):
            return [_render(pid, at)]
        case DeadlineSet(proposal_id=pid, closes_at=closes_at, remind_at=remind_at):
            reminder = ([Job(Kind.POLL_REMIND, remind_key(pid), remind_at, {"proposal": pid}),
                         Reschedule(remind_key(pid), remind_at)] if remind_at else [Cancel(remind_key(pid))])
            return [Job(Kind.POLL_CLOSE, close_key(pid), closes_at, {"proposal": pid}),
                    Reschedule(close_key(pid), closes_at), *reminder]
        case ReviewScheduled(review_id=rid, due_at=due_at, snooze=snooze):
            # The job carries its own due moment: a retry may move the job's due time, not which reminder it is.
            return [Job(Kind.REVIEW_DUE, f"{Kind.REVIEW_DUE}:{rid}:{due_at.isoformat()}", due_at,
                        {"review": rid, "snooze": snooze, "due": due_at.isoformat()})]
        case Replaced(at=at, to=to, what=what, data=data, key=key):
            return [Job(Kind.REPLACE, f"{Kind.REPLACE}:{key}", at, {"to": asdict(to), "what": what, "data": data})]
        case PollClosed(at=at, proposal_id=pid, channel_id=channel):
            return [Cancel(close_key(pid)), Cancel(remind_key(pid)), _render(pid, at),
                    Job(Kind.POLL_OUTCOME, f"{Kind.POLL_OUTCOME}:{pid}", at, {"proposal": pid}, channel)]
        case EscalationAsked(at=at, escalation_id=eid, level=level, recipients=recipients, due_at=due_at,
                             reminder=reminder):
            step = f"{eid}:{level}:{'reminder' if reminder else 'ask'}"
            asks = [Job(Kind.ESCALATION_ASK, f"{Kind.ESCALATION_ASK}:{step}:{to}", at,
                        {"escalation": eid, "to": to, "reminder": reminder}, to) for to in recipients]
            # The timer carries its own due moment, so a later level's timer never stands in for this one.
            timer = [Job(Kind.ESCALATION_DUE, due_key(eid, due_at), due_at,
                         {"escalation": eid, "due": due_at.isoformat()})] if due_at else []
            return [*asks, *timer]
        case EscalationEnded(escalation_id=eid, due_at=due_at):
            return [Cancel(due_key(eid, due_at))] if due_at else []
        case OutcomeSettled(at=at, proposal_id=pid, channel_id=channel):
            return [_render(pid, at), Job(Kind.POLL_OUTCOME, f"{Kind.POLL_OUTCOME}:{pid}:{at.isoformat()}", at,
                                          {"proposal": pid}, channel)]
        case RoundOpened(round_id=rid, closes_at=closes_at, remind_at=remind_at):
            jobs = [Job(Kind.ROUND_CLOSE, f"{Kind.ROUND_CLOSE}:{rid}", closes_at, {"round": rid})] if closes_at else []
            return jobs + ([Job(Kind.ROUND_REMIND, f"{Kind.ROUND_REMIND}:{rid}", remind_at, {"round": rid})]
                           if remind_at else [])
        case ReportRequested(at=at, round_id=rid, channel_id=channel):
            report = f"{rid}:{at.isoformat()}"
            return [Job(Kind.REPORT_POST, f"{Kind.REPORT_POST}:{report}", at, {"round": rid}, channel),
                    Job(Kind.REPORT_CHART, f"{Kind.REPORT_CHART}:{report}", at, {"round": rid}, channel)]
        case ActionScheduled(action_id=aid, remind_at=remind_at, overdue_at=overdue_at):
            remind = [Job(Kind.ACTION_REMIND, f"{Kind.ACTION_REMIND}:{aid}", remind_at, {"action": aid})
                      ] if remind_at else []
            return remind + [Job(Kind.ACTION_OVERDUE, f"{Kind.ACTION_OVERDUE}:{aid}", overdue_at, {"action": aid})]
        case Notice(at=at, to=to, what=what, data=data, key=key):
            # Replies and ephemeral messages aren't channel posts; only a DM is paced, per person.
            paced = None if to.response_url or to.channel_id else to.user_id
            return [Job(Kind.NOTICE, f"{Kind.NOTICE}:{key}", at, {"to": asdict(to), "what": what, "data": data},
                        paced)]
        case InterestDeclared(at=at, proposal_id=pid, channel_id=channel, user_id=user):
            return [Job(Kind.INTEREST_ASKED, f"{Kind.INTEREST_ASKED}:{pid}:{user}", at,
                        {"proposal": pid, "user": user}, channel)]
        case InterestDecided(at=at, proposal_id=pid, user_id=user, decision=decision, chair=chair):
            return [Job(Kind.INTEREST_DECIDED, f"{Kind.INTEREST_DECIDED}:{pid}:{user}:{decision}:{at.isoformat()}",
                        at, {"proposal": pid, "user": user, "decision": decision, "chair": asdict(chair)})]
        case BoardCreated(at=at, board_id=board_id, founder=founder):
            return [Job(Kind.BOARD_ANNOUNCE, f"{Kind.BOARD_ANNOUNCE}:{board_id}", at,
                        {"board": board_id, "founder": asdict(founder)}, founder.channel_id)]
        case MembershipChanged(at=at, team_id=team, user_id=user):
            return [Job(Kind.HOME, f"{Kind.HOME}:{team}:{user}", at, {"team": team, "user": user},
                        redraw=True, spacing=HOME_SPACING)]
    raise TypeError(f"no effects are defined for {type(event).__name__}")


def prune_job(now: datetime) -> Job:
    """This hour's job that forgets old request keys (any number of processes add it; it runs once)."""
    hour = now.replace(minute=0, second=0, microsecond=0)
    return Job(Kind.PRUNE, f"{Kind.PRUNE}:{hour.isoformat()}", hour)
