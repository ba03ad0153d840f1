"""The poll message in a board's channel, its outcome, and the decision register list."""

from __future__ import annotations

import json
from datetime import datetime

from slack_sdk.models.blocks import ActionsBlock, ButtonElement, ConfirmObject

from bot.domain.boards import DecisionRule, Role
from bot.domain.decisions import Outcome, Position
from bot.domain.delegation import governance_flag
from bot.domain.escalation import Escalation, EscalationState, agree_note
from bot.domain.money import format_amount
from bot.domain.proposals import InterestDecision, Status
from bot.domain.snapshot import PollSnapshot
from bot.domain.text import cut, escape, plural
from bot.domain.times import local_time
from prompts.blocks.common import context, header, message, section, sections
from prompts.ids.polls import PollAction, PollBlock

POSITION_LABELS = {
    Position.AGREE: "Agree", Position.RESERVATIONS: "Agree with reservations", Position.STAND_ASIDE: "Stand aside",
    Position.OBJECT: "Object", Position.ABSTAIN: "Abstain",
}
VOTE_ACTIONS = {
    Position.AGREE: PollAction.VOTE_AGREE, Position.RESERVATIONS: PollAction.VOTE_RESERVATIONS,
    Position.STAND_ASIDE: PollAction.VOTE_STAND_ASIDE, Position.OBJECT: PollAction.VOTE_OBJECT,
    Position.ABSTAIN: PollAction.VOTE_ABSTAIN,
}
RULE_NAMES = {
    DecisionRule.CONSENSUS: "Consensus (no objections)", DecisionRule.UNANIMOUS: "Unanimous",
    DecisionRule.SUPERMAJORITY: "Supermajority", DecisionRule.MAJORITY: "Simple majority",
    DecisionRule.ADVISORY: "Advisory sense check (no decision)",
}
OUTCOME_LABELS = {
    Outcome.AGREED: ":white_check_mark: Agreed",
    Outcome.AGREED_SUBJECT: ":hourglass_flowing_sand: Agreed subject to endorsement",
    Outcome.NOT_AGREED: ":no_entry: Not agreed",
    Outcome.NO_QUORUM: ":hourglass: No quorum", Outcome.WITHDRAWN: ":leftwards_arrow_with_hook: Withdrawn",
    Outcome.NOTED: ":speech_balloon: Views noted",
}


NAMES_SHOWN = 100  # about 1,500 characters of mentions, well inside a section's 3,000
PROXIES_SHOWN = 10


def when(moment: datetime, timezone: str) -> str:
    """A naive-UTC time in the board's zone, named by its abbreviation: every member reads the same time."""
    return local_time(moment, timezone)


def rule_text(snap: PollSnapshot) -> str:
    """The decision rule and quorum in words."""
    p = snap.proposal
    rule = RULE_NAMES[p.rule]
    if p.rule is DecisionRule.SUPERMAJORITY:
        rule += f" of {p.threshold.numerator}/{p.threshold.denominator} of votes for or against"
    if p.rule in (DecisionRule.UNANIMOUS, DecisionRule.ADVISORY):
        return rule
    return f"{rule}; quorum: {p.quorum.describe()}"


def _tally_lines(snap: PollSnapshot, *, final: bool) -> list[str]:
    t, p = snap.tally, snap.proposal
    unit = "organisations" if p.per_organisation else "eligible members"
    lines = [f"*{len(t.counted)} of {t.eligible_units} {unit} have voted.*"]
    if p.secret and not final:
        # Counts that move with each click would tell a small board who voted how.
        return lines + ["_Secret ballot: the counts are shown when the poll closes, and names never._"]
    if p.hide_results and not final:
        return lines + ["_Positions stay hidden until the poll closes._"]
    for position, label in POSITION_LABELS.items():
        votes = [v for v in t.counted if v.position is position]
        line = f"{label}: *{len(votes)}*"
        if votes and not p.secret:
            names = [f"<@{v.user_id}>" + (" (by proxy)" if v.proxy_by else "") + _subject(snap, v)
                     for v in votes[:NAMES_SHOWN]]
            more = f" and {len(votes) - NAMES_SHOWN} more" if len(votes) > NAMES_SHOWN else ""
            line += "  " + ", ".join(names) + more
        lines.append(line)
    return lines + proxy_lines(snap) + _uncounted_lines(snap)


def _subject(snap: PollSnapshot, vote) -> str:
    waiting = snap.subject_to()
    if vote.position in (Position.AGREE, Position.RESERVATIONS) and vote.organisation in waiting:
        return f" _({agree_note(escape(vote.organisation))})_"
    return ""


def record_line(e: Escalation, timezone: str) -> str:
    """One mrkdwn line for the record: who answered and when (in the board's `timezone`), or what it waits on."""
    if e.state in (EscalationState.ENDORSED, EscalationState.DECLINED):
        verb = "Endorsed" if e.state is EscalationState.ENDORSED else "Declined"
        who = f"<@{e.answered_by}>" + (f" for <@{e.answered_for}>" if e.answered_for else "")
        line = f"{verb} by {who} ({escape(e.level_title)}), {local_time(e.answered_at, timezone)}"
        return line + (f": {escape(e.comment)}" if e.comment else "")
    if e.state is EscalationState.OPEN:
        return f"Waiting on {escape(e.level_title)}"
    if e.state is EscalationState.NO_ROUTE:
        return f"No route: {escape(e.organisation)} {escape(e.problem)}"
    return "Withdrawn"


def signoff_lines(snap: PollSnapshot) -> list[str]:
    """Each organisation's sign-off (who endorsed or declined, or what it waits on), or the delegation mark."""
    lines = [f"• {escape(e.organisation)}: {record_line(e, snap.board.timezone)}" for e in snap.escalations
             if e.state is not EscalationState.WITHDRAWN]
    if lines:
        return ["*Sign-off through each organisation:*", *lines]
    if snap.delegated is not None:
        review = (f"reviewed by <@{snap.delegated.reviewed_by}>" + (f": {escape(snap.delegated.note)}"
                                                                    if snap.delegated.note else "")
                  if snap.delegated.reviewed_at else "awaiting the board's retrospective review")
        return [f"_Taken under delegation: {review}._"]
    return []


def proxy_lines(snap: PollSnapshot) -> list[str]:
    """Who held each proxy and why (in a secret ballot, only how many and by whom)."""
    proxies = [v for v in snap.tally.counted + snap.tally.superseded if v.proxy_by]
    if snap.proposal.secret:
        holders = sorted({v.proxy_by for v in proxies})
        return [f"{plural(len(proxies), 'proxy vote')} recorded by " + ", ".join(f"<@{h}>" for h in holders)
                ] if proxies else []
    return [f"• <@{v.user_id}>'s position was recorded by <@{v.proxy_by}> as proxy: {escape(cut(v.reason, 200))}"
            for v in proxies[:PROXIES_SHOWN]]


def _uncounted_lines(snap: PollSnapshot) -> list[str]:
    t = snap.tally
    if not t.superseded or snap.proposal.secret:
        return []
    names = ", ".join(f"<@{v.user_id}> ({POSITION_LABELS[v.position].lower()})" for v in t.superseded[:NAMES_SHOWN])
    return ["Not counted, as their organisation's vote is cast by another member: " + names]


def _header_lines(snap: PollSnapshot) -> list[str]:
    p = snap.proposal
    facts = [f"*Category:* {escape(snap.category_label)}"]
    if p.amount_pence is not None:
        facts.append(f"*Amount:* {format_amount(p.amount_pence)}")
    facts.append(f"*Rule:* {rule_text(snap)}" + (f" (chosen by <@{p.rule_overridden_by}> instead of the board's "
                                                   "rule for this category)" if p.rule_overridden_by else ""))
    if p.status is Status.OPEN:
        facts.append(f"*Closes:* {when(p.closes_at, snap.board.timezone)}")
    options = [o for o, on in (("secret ballot", p.secret), ("results hidden until close", p.hide_results),
                               ("one vote per organisation", p.per_organisation)) if on]
    if options:
        facts.append("*Options:* " + ", ".join(options))
    return facts


def governance_lines(snap: PollSnapshot) -> list[str]:
    """The governance-fit warning: what this board's kind of collaboration can't do on its own (not a block)."""
    flag = governance_flag(snap.board.collaboration_type, set(snap.proposal.marks))
    return [f":warning: {flag}"] if flag else []


def _interest_lines(snap: PollSnapshot) -> list[str]:
    labels = {InterestDecision.PENDING: "awaiting the chair", InterestDecision.RECUSED: "recused",
              InterestDecision.ALLOWED: "may vote"}
    return [f":warning: <@{i.user_id}> declared an interest ({labels[i.decision]}): {escape(cut(i.reason, 300))}"
            for i in snap.proposal.interests]


def vote_buttons(proposal_id: int) -> list[dict]:
    """The five position buttons, as on the poll (a reminder DM carries them too)."""
    value = str(proposal_id)
    votes = [ButtonElement(text=POSITION_LABELS[p], action_id=a.value, value=value,
                           style="primary" if p is Position.AGREE else ("danger" if p is Position.OBJECT else None))
             for p, a in VOTE_ACTIONS.items()]
    return [ActionsBlock(block_id=PollBlock.VOTES.value, elements=votes).to_dict()]


def _buttons(proposal_id: int) -> list[dict]:
    value = str(proposal_id)
    confirm_close = ConfirmObject(title="Close this poll now?", text="The outcome is decided on the votes so far.",
                                  confirm="Close now", deny="Cancel")
    confirm_withdraw = ConfirmObject(title="Withdraw the proposal?", text="It is recorded as withdrawn.",
                                     confirm="Withdraw", deny="Cancel", style="danger")
    manage = [
        ButtonElement(text="Declare an interest", action_id=PollAction.DECLARE_INTEREST.value, value=value),
        ButtonElement(text="Proxy vote (chair)", action_id=PollAction.PROXY.value, value=value),
        ButtonElement(text="Extend", action_id=PollAction.EXTEND.value, value=value),
        ButtonElement(text="Close now", action_id=PollAction.CLOSE_NOW.value, value=value, confirm=confirm_close),
        ButtonElement(text="Withdraw", action_id=PollAction.WITHDRAW.value, value=value,
                      confirm=confirm_withdraw),
    ]
    return [*vote_buttons(proposal_id), ActionsBlock(block_id=PollBlock.MANAGE.value, elements=manage).to_dict()]


def poll_message(snap: PollSnapshot) -> dict:
    """The poll as posted in the channel: proposal, rule, deadline, tally, who is waiting, and buttons."""
    p, final = snap.proposal, snap.proposal.status is Status.CLOSED
    title = f"{snap.number}: {p.title}" if snap.number else f"Proposal: {p.title}"
    blocks = [header(title), section("\n".join(_header_lines(snap)))]
    if p.description:
        blocks.append(section(escape(p.description)))
    blocks += sections(_tally_lines(snap, final=final), max_blocks=6)
    if snap.tally.waiting and not final and not p.secret:
        waiting = snap.tally.waiting
        more = f" and {len(waiting) - NAMES_SHOWN} more" if len(waiting) > NAMES_SHOWN else ""
        blocks.append(context("Not voted yet: " + ", ".join(f"<@{v.user_id}>" for v in waiting[:NAMES_SHOWN]) + more))
    blocks += sections(governance_lines(snap) + _interest_lines(snap), max_blocks=3)
    blocks += sections(signoff_lines(snap), max_blocks=3)
    if final and snap.outcome:
        blocks.append(section(f"*{OUTCOME_LABELS[snap.outcome]}* " + escape(" ".join(snap.result.reasons))))
    else:
        blocks += _buttons(p.id)
    blocks.append(context(f"Proposed by <@{p.proposer}>" + (" · secret ballot: names are never shown"
                                                              if p.secret else "")))
    return message(blocks, f"{escape(title)} ({'closed' if final else 'open for positions'})")


def outcome_message(snap: PollSnapshot) -> dict:
    """The outcome posted in the poll's thread, with every objection's reason."""
    p = snap.proposal
    by = f" by <@{snap.closed_by}>" if snap.closed_by else ""
    lines = [f"*{OUTCOME_LABELS[snap.outcome]}*: {escape(p.title)} ({snap.number}, closed{by})"]
    lines += [escape(r) for r in snap.result.reasons]
    counts = ", ".join(f"{label} {snap.tally.counts[pos]}" for pos, label in POSITION_LABELS.items())
    lines.append(f"Positions: {counts}.")
    for v in snap.tally.counted:
        if v.position in (Position.OBJECT, Position.RESERVATIONS) and v.reason and not v.proxy_by:
            who = "A member" if p.secret else f"<@{v.user_id}>"
            lines.append(f"• {who} ({POSITION_LABELS[v.position].lower()}): {escape(cut(v.reason, 500))}")
    lines += proxy_lines(snap) + _uncounted_lines(snap) + signoff_lines(snap) + governance_lines(snap)
    return message(sections(lines + _interest_lines(snap), max_blocks=40), lines[0])


def proxy_notice(snap: PollSnapshot, *, for_user: str) -> dict:
    """The DM to a member whose position the chair recorded as their proxy."""
    vote = next(v for v in snap.tally.counted + snap.tally.superseded if v.user_id == for_user)
    text = (f"<@{vote.proxy_by}> recorded *{POSITION_LABELS[vote.position]}* for you as your proxy on "
            f"*{escape(snap.proposal.title)}* in <#{snap.channel_id}>, because: {escape(cut(vote.reason, 1000))}\n"
            "If that isn't your view, use the buttons on the poll to change it before it closes.")
    return message([section(text)], f"A proxy vote was recorded for you on {escape(snap.proposal.title)}")


def decisions_list(snaps: list[PollSnapshot]) -> dict:
    """The board's most recent register entries."""
    if not snaps:
        text = "No decisions recorded yet. Put a proposal with `/collab propose`."
        return message([section(text)], text)
    lines = [f"*{s.number}* {escape(s.proposal.title)}: {OUTCOME_LABELS[s.outcome]} "
             f"({when(s.closed_at, s.board.timezone)})" for s in snaps]
    return message([header("Recent decisions"), *sections(lines, max_blocks=45),
                    context("For the full register as a spreadsheet, ask whoever runs collab-bot to export it.")],
                   plural(len(snaps), "recent decision"))


def interest_request(snap: PollSnapshot, user_id: str) -> dict:
    """The thread message asking the chair to decide on a declared interest."""
    interest = next(i for i in snap.proposal.interests if i.user_id == user_id)
    chairs = [m.user_id for m in snap.board.members if m.role is Role.CHAIR]
    text = (f":warning: <@{user_id}> declared an interest in *{escape(snap.proposal.title)}*: "
            f"{escape(cut(interest.reason, 1500))}\n" + " ".join(f"<@{c}>" for c in chairs) +
            ", as chair, decide whether they step out of this vote.")
    value = json.dumps({"proposal": snap.proposal.id, "user": user_id})
    buttons = ActionsBlock(block_id=PollBlock.INTEREST.value, elements=[
        ButtonElement(text="Recuse from this vote", action_id=PollAction.RECUSE.value, value=value, style="danger"),
        ButtonElement(text="May still vote", action_id=PollAction.ALLOW.value, value=value),
    ]).to_dict()
    return message([section(text), buttons], f"{user_id} declared an interest")


def interest_decided(user_id: str, decision: InterestDecision, chair_id: str) -> dict:
    """The same thread message once the chair has decided."""
    what = "are recused from this vote" if decision is InterestDecision.RECUSED else "may still vote"
    text = f":warning: <@{user_id}>'s declared interest: <@{chair_id}> decided they {what}."
    return message([section(text)], text)
