"""A checklist round's jobs: its close and the reminder to those not finished; its report and the report's chart."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.events import ReportRequested, RoundOpened, Route
from bot.domain.jobs import ClaimedJob, Effect, SendFailure
from bot.domain.rounds import TooFewAnswers
from bot.outbound.kinds.base import JobKind, Payload, SendContext, Told, chair_of, nobody
from bot.services import rounds
from bot.services.uow import AbstractUnitOfWork
from prompts.blocks.delivery import report_undelivered
from prompts.blocks.report import report_message, too_few_message


@dataclass(frozen=True)
class RoundPayload(Payload):
    """Which round."""

    round: int


def close_round(ctx: SendContext, job: ClaimedJob, p: RoundPayload) -> dict:
    """Close the round at its closing time."""
    return {"closed": rounds.close_round(ctx.db, round_id=p.round, by=None, now=ctx.clock.now())}


def _closes(event: RoundOpened) -> list[Effect]:
    return [ROUND_CLOSE.job(event.round_id, event.closes_at, RoundPayload(event.round_id))] if event.closes_at else []


ROUND_CLOSE = JobKind("round.close", RoundPayload, "database", close_round, nobody, reacts={RoundOpened: _closes})


def remind_round(ctx: SendContext, job: ClaimedJob, p: RoundPayload) -> dict:
    """Remind those who have not finished the round (each by a notice of their own)."""
    return {"reminded": rounds.remind_unfinished(ctx.db, round_id=p.round, now=ctx.clock.now())}


def _reminds(event: RoundOpened) -> list[Effect]:
    return [ROUND_REMIND.job(event.round_id, event.remind_at, RoundPayload(event.round_id))] if event.remind_at else []


ROUND_REMIND = JobKind("round.remind", RoundPayload, "database", remind_round, nobody, reacts={RoundOpened: _reminds})


def told_of_report(what: str):
    """The audience of a report (or its chart) that failed for good: the board's chair, told `what` failed."""

    def audience(uow: AbstractUnitOfWork, p: RoundPayload, failure: SendFailure) -> Told | None:
        r = uow.checklist_rounds.get(p.round)
        board = uow.boards.get(r.board_id) if r else None
        chair = chair_of(board)
        if r is None or board is None or chair is None:
            return None
        return Route(board.team_id, chair), report_undelivered(what, r.template_id, board.channel_id,
                                                               error=failure.code, needed=failure.needed)

    return audience


def post_report(ctx: SendContext, job: ClaimedJob, p: RoundPayload) -> dict:
    """Post the round's report in the board's channel, or say it is withheld for too few answers."""
    try:
        rr = rounds.report_of(ctx.db, p.round)
    except TooFewAnswers as few:
        r, template, number, channel = rounds.round_of(ctx.db, p.round)
        content = too_few_message(template, number=number, answered=few.answered)
        return {"ts": ctx.client.chat_postMessage(channel=channel, **content)["ts"], "withheld": True}
    return {"ts": ctx.client.chat_postMessage(channel=rr.board.channel_id, **report_message(rr))["ts"]}


def _report(kind: JobKind[RoundPayload], event: ReportRequested) -> list[Effect]:
    return [kind.job(f"{event.round_id}:{event.at.isoformat()}", event.at, RoundPayload(event.round_id),
                     event.channel_id)]


def _post_report(event: ReportRequested) -> list[Effect]:
    return _report(REPORT_POST, event)


REPORT_POST = JobKind("report.post", RoundPayload, "chat.postMessage", post_report,
                      told_of_report("the checklist report"),
                      reacts={ReportRequested: _post_report})


def post_chart(ctx: SendContext, job: ClaimedJob, p: RoundPayload) -> dict:
    """Upload the report's chart to the board's channel (nothing if the report is withheld)."""
    from bot.outbound.charts import report_chart  # matplotlib is imported only here, after the ack

    try:
        rr = rounds.report_of(ctx.db, p.round)
    except TooFewAnswers:
        return {"skipped": "too few answers for a report"}
    title = f"{rr.board.name}: {rr.template.title}, round {rr.number}"
    png = report_chart(rr.report, title=title, template=rr.template, distribution=rr.distribution)
    # files_upload_v2 asks for an upload URL, sends the bytes there, then completes the upload into the channel.
    answer = ctx.client.files_upload_v2(channel=rr.board.channel_id, content=png, title=title,
                                        filename=f"{rr.template.id}-round-{rr.number}.png")
    return {"file": (answer.get("file") or {}).get("id"), "bytes": len(png)}


def _post_chart(event: ReportRequested) -> list[Effect]:
    return _report(REPORT_CHART, event)


REPORT_CHART = JobKind("report.chart", RoundPayload, "files.completeUploadExternal", post_chart,
                       told_of_report("the checklist report's chart"),
                       reacts={ReportRequested: _post_chart})
