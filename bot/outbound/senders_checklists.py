"""What checklist jobs do in Slack: close a round and remind those not finished, post a report and its chart."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.clock import Clock
from bot.domain.effects import Kind
from bot.domain.jobs import ClaimedJob
from bot.domain.rounds import TooFewAnswers
from bot.outbound.client import Sender
from bot.services import rounds
from prompts.blocks.report import report_message, too_few_message
from storage.uow import Database


def checklist_senders(client: WebClient, db: Database, clock: Clock) -> dict[str, Sender]:
    """The senders of the checklist jobs."""

    def close_round(job: ClaimedJob) -> dict:
        return {"closed": rounds.close_round(db, round_id=job.job.payload["round"], by=None, now=clock.now())}

    def remind(job: ClaimedJob) -> dict:
        return {"reminded": rounds.remind_unfinished(db, round_id=job.job.payload["round"], now=clock.now())}

    def post_report(job: ClaimedJob) -> dict:
        try:
            rr = rounds.report_of(db, job.job.payload["round"])
        except TooFewAnswers as few:
            r, template, number, channel = rounds.round_of(db, job.job.payload["round"])
            content = too_few_message(template, number=number, answered=few.answered)
            return {"ts": client.chat_postMessage(channel=channel, **content)["ts"], "withheld": True}
        return {"ts": client.chat_postMessage(channel=rr.board.channel_id, **report_message(rr))["ts"]}

    def post_chart(job: ClaimedJob) -> dict:
        from bot.outbound.charts import report_chart  # matplotlib is imported only here, after the ack

        try:
            rr = rounds.report_of(db, job.job.payload["round"])
        except TooFewAnswers:
            return {"skipped": "too few answers for a report"}
        title = f"{rr.board.name}: {rr.template.title}, round {rr.number}"
        png = report_chart(rr.report, title=title, template=rr.template, distribution=rr.distribution)
        # files_upload_v2 asks for an upload URL, sends the bytes there, then completes the upload into the channel.
        answer = client.files_upload_v2(channel=rr.board.channel_id, content=png, title=title,
                                        filename=f"{rr.template.id}-round-{rr.number}.png")
        return {"file": (answer.get("file") or {}).get("id"), "bytes": len(png)}

    return {
        Kind.ROUND_CLOSE: Sender("database", close_round),
        Kind.ROUND_REMIND: Sender("database", remind),
        Kind.REPORT_POST: Sender("chat.postMessage", post_report),
        Kind.REPORT_CHART: Sender("files.completeUploadExternal", post_chart),
    }
