"""Each audited domain event projects its own audit entry, and `audit verify`'s replay reads that projection: the
action names come from the events, and every audited event type round-trips from projection to replayed row."""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

import bot.domain
from bot.domain.audit import AuditEvent, canonical
from bot.domain.audit_replay import REPLAYED, Replay
from bot.domain.delegation import Level
from bot.domain.events import (
    BoardCreated,
    Event,
    InterestDeclared,
    LogKeyed,
    OutcomeSettled,
    PollChanged,
    PollClosed,
    RoundOpened,
    Route,
    SendFailed,
)
from bot.domain.events_boards import (
    BoardSettingsSaved,
    CategoryRuleSet,
    CollaborationTypeChanged,
    MemberAdded,
    MemberNominated,
    MemberRemoved,
    MemberUpdated,
    OrganisationAdded,
    OrganisationRenamed,
    OrganisationTyped,
)
from bot.domain.events_checklists import (
    ActionCreated,
    ActionDone,
    ChecklistAnswered,
    ChecklistClosed,
    ChecklistLoaded,
    ReviewAdded,
    ReviewDone,
    ReviewRemoved,
    ReviewSnoozed,
)
from bot.domain.events_delegation import AuthoritySet, ChainSet, DelegatedReviewed, DeputyAdded
from bot.domain.events_governance import (
    EscalationDeclined,
    EscalationEndorsed,
    EscalationMovedUp,
    EscalationOpened,
    EscalationReminded,
    EscalationToppedOut,
    EscalationUnrouted,
    EscalationWithdrawn,
    InterestDecisionChanged,
    ProposalExtended,
    ProposalOpened,
    VoteRecorded,
)
from bot.outbound.registry import KINDS

AT = datetime(2026, 3, 2, 10, 0)
LEVEL = Level(1, "Director", ("U8", "U9"), None, 500_00, approves_other=False, response_days=3)


@dataclass(frozen=True)
class Case:
    """An event, what the replay held before it (if anything), and what the replay holds after it."""

    event: Event
    got: Callable[[Replay], Any] = lambda replay: None
    want: Any = None
    before: Callable[[Replay], None] = lambda replay: None


def _seat(replay: Replay) -> None:
    replay.members[(7, "U2")] = ("Acme", "member")


CASES = [
    Case(BoardCreated(AT, 7, Route("T1", "U1", "C1"), "Board", "partnership", "cooperation", "Europe/London",
                      "majority")),
    Case(OrganisationAdded(AT, "U1", "T1", "Acme")),
    Case(OrganisationTyped(AT, "U1", "T1", "Acme", "voluntary")),
    Case(OrganisationRenamed(AT, "U1", "T1", 4, "Acme", "Acme Ltd", (7,)), before=_seat,
         got=lambda r: r.members[(7, "U2")], want=("Acme Ltd", "member")),
    Case(MemberAdded(AT, "U1", 7, "U2", "Acme", "member"), got=lambda r: r.members,
         want={(7, "U2"): ("Acme", "member")}),
    Case(MemberUpdated(AT, "U1", 7, "U2", "Acme", "chair", "Acme", "member"), before=_seat,
         got=lambda r: r.members, want={(7, "U2"): ("Acme", "chair")}),
    Case(MemberRemoved(AT, "U1", 7, "U2", "Acme", "member"), before=_seat, got=lambda r: r.members, want={}),
    Case(MemberNominated(AT, "U1", 7, "U2", "Acme")),
    Case(BoardSettingsSaved(AT, "U1", 7, "Europe/London", 0, time(9, 0), 24, True)),
    Case(CollaborationTypeChanged(AT, "U1", 7, "cooperation", "collaboration", 3, ("shared budget",))),
    Case(CategoryRuleSet(AT, "U1", 7, "money", "supermajority", "2/3")),
    Case(ProposalOpened(AT, "U1", 11, 7, "Buy a van", "money", 250_00, "majority", "half", "1/2", False, False, False,
                        AT, frozenset({"binding"}), {4: 100_00}, None),
         got=lambda r: r.proposals.rows[(11,)], want={"status": "open", "number": None, "outcome": None,
                                                      "title": "Buy a van", "category": "money",
                                                      "amount_pence": 250_00, "rule": "majority", "secret": False}),
    Case(VoteRecorded(AT, "U2", 11, "for", "U2", "", None), got=lambda r: (r.votes, r.history[(11, "U2", 1)]),
         want=({(11, "U2"): "for"}, {"position": "for", "reason": ""})),
    Case(VoteRecorded(AT, "U2", 11, "against", "U2", "", None, voter="p-1"),
         got=lambda r: (r.votes, r.secret), want=({(11, "p-1"): "against"}, {11})),
    Case(InterestDeclared(AT, 11, "C1", "U2", "my employer")),
    Case(InterestDecisionChanged(AT, "U1", 11, "U2", "recused")),
    Case(ProposalExtended(AT, "U1", 11, AT, datetime(2026, 3, 9, 10, 0))),
    Case(PollClosed(AT, 11, "C1", "U1", None, "CB-2026-001", "agreed", ("Most agreed.",), {"for": 2}),
         got=lambda r: r.proposals.rows[(11,)],
         want={"status": "closed", "number": "CB-2026-001", "outcome": "agreed"}),
    Case(OutcomeSettled(AT, 11, "C1", "CB-2026-001", "declined", ("Acme declined.",)),
         got=lambda r: r.proposals.rows[(11,)], want={"outcome": "declined"}),
    Case(EscalationOpened(AT, 11, 21, "Acme", 250_00, "Director", 1, ("U8", "U9"), None, ()),
         got=lambda r: r.escalations.rows[(21,)],
         want={"proposal_id": 11, "state": "open", "level_title": "Director", "approvers": "U8 U9", "reminded": False,
               "answered_by": None, "answered_for": None, "comment": "", "amount_pence": 250_00,
               "level_position": 1}),
    Case(EscalationUnrouted(AT, 11, 21, "Acme", None, "", 0, (), "no chain", ()),
         got=lambda r: r.escalations.rows[(21,)]["state"], want="no_route"),
    Case(EscalationReminded(AT, 11, 21, "Director", 1, ("U8",), ()),
         got=lambda r: r.escalations.rows[(21,)], want={"reminded": True}),
    Case(EscalationMovedUp(AT, 11, 21, "Board", 2, ("U7",), ("U8",)), got=lambda r: r.escalations.rows[(21,)],
         want={"level_title": "Board", "approvers": "U7", "reminded": False, "level_position": 2}),
    Case(EscalationToppedOut(AT, 11, 21, "Board", 2, ("U7",), ()), got=lambda r: r.escalations.rows[(21,)], want={}),
    Case(EscalationEndorsed(AT, "U9", 11, 21, "Acme", "Director", "U8", None, "fine"),
         got=lambda r: r.escalations.rows[(21,)],
         want={"state": "endorsed", "answered_by": "U9", "answered_for": "U8", "comment": "fine"}),
    Case(EscalationDeclined(AT, "U8", 11, 21, "Acme", "Director", None, "C9", "no"),
         got=lambda r: r.escalations.rows[(21,)]["state"], want="declined"),
    Case(EscalationWithdrawn(AT, 11, 21), got=lambda r: r.escalations.rows[(21,)], want={"state": "withdrawn"}),
    Case(AuthoritySet(AT, "U1", "U2", "Acme", 4, "money", "£500.00", date(2026, 3, 2), None, 1, "slack", board_id=7),
         got=lambda r: r.authorities.rows[(4, "U2", "money", 1)],
         want={"limit": "£500.00", "valid_from": "2026-03-02", "valid_until": None, "granted_by": "U1",
               "superseded": False}),
    Case(AuthoritySet(AT, "U1", "U2", "Acme", 4, "staff", "yes", date(2026, 3, 2), date(2026, 4, 1), 1, "import",
                      team="T1"),
         got=lambda r: r.authorities.rows[(4, "U2", "staff", 1)]["valid_until"], want="2026-04-01"),
    Case(ChainSet(AT, "U1", "Acme", 4, (LEVEL,)), got=lambda r: r.chains.rows,
         want={(4, 1): {"title": "Director", "approvers": "U8 U9", "channel_id": None, "limit_pence": 500_00,
                        "response_days": 3, "approves_other": False}}),
    Case(DeputyAdded(AT, "U1", "Acme", "U8", "U7", date(2026, 3, 2), date(2026, 3, 9))),
    Case(DelegatedReviewed(AT, "U1", 11, "CB-2026-001", "seen")),
    Case(RoundOpened(AT, 5, None, None, "U1", 7, "pulse", 2), got=lambda r: r.answers.logged_from, want=5),
    Case(ChecklistAnswered(AT, "U2", 5, "q1", "", "a note", None), got=lambda r: r.answers.rows,
         want={(5, "U2", "q1"): {"value": None, "note": "a note", "evidence": None}}),
    Case(ChecklistClosed(AT, None, 7, 5, "pulse", 2, {"q1": {"4": 2, "2": 0}}),
         got=lambda r: (r.answers.counts, r.answers.counted), want=({(5, "q1", "4"): {"answers": 2}}, {5})),
    Case(ChecklistClosed(AT, "U1", 7, 5, "pulse"), got=lambda r: r.answers.counted, want=set()),
    Case(ChecklistLoaded(AT, "U1", 7, "pulse", 2)),
    Case(ActionCreated(AT, "U1", 7, 31, 5, "q1", "Fix it", "U2", date(2026, 3, 20))),
    Case(ActionDone(AT, "U2", 7, 31, "Fix it", "U2")),
    Case(ReviewAdded(AT, "U1", 7, 41, "risk", "Risk register", date(2026, 4, 1), "yearly", None, None, None)),
    Case(ReviewRemoved(AT, "U1", 41, "Risk register")),
    Case(ReviewDone(AT, "U1", 41, "Risk register")),
    Case(ReviewSnoozed(AT, "U1", 41, datetime(2026, 3, 9, 9, 0))),
    Case(SendFailed(AT, "notice", "notice:x", "channel_not_found", "chat.postMessage")),
    Case(LogKeyed(AT, 12, "ab" * 32)),
]


def _event_types() -> set[type[Event]]:
    """Every event type the domain declares (a base that only shares fields among its subclasses included)."""
    for module in pkgutil.iter_modules(bot.domain.__path__):
        if module.name.startswith("events"):
            importlib.import_module(f"bot.domain.{module.name}")
    found, todo = set(), [Event]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            found.add(sub)
    return found


def _audited_types() -> set[type[Event]]:
    return {kind for kind in _event_types() if isinstance(getattr(kind, "ACTION", None), str)}


def _logged(event: Event) -> AuditEvent:
    """The event as the log reads it back: its entry, with the payload through the log's JSON."""
    entry = event.audit()
    assert entry is not None
    return AuditEvent(1, entry.actor, entry.action, json.loads(canonical(entry.payload)), event.at, "0" * 64, "1" * 64)


def test_every_audited_event_type_has_a_case_here():
    assert _audited_types() == {type(case.event) for case in CASES}


def test_an_event_projects_the_action_its_type_declares_with_a_payload_the_log_keeps_as_it_is():
    for case in CASES:
        entry = case.event.audit()
        assert entry is not None and entry.action == type(case.event).ACTION
        assert json.loads(canonical(entry.payload)) == entry.payload, type(case.event).__name__


def test_an_event_the_log_does_not_keep_projects_nothing():
    assert PollChanged(AT, 11, "C1").audit() is None


def test_every_event_reaches_slack_or_the_audit_log():
    reacted_to = {event for kind in KINDS.values() for event in kind.reacts}
    idle = {kind for kind in _event_types() - reacted_to - _audited_types() if not kind.__subclasses__()}
    assert idle == set()


def test_every_action_the_replay_reads_is_the_action_of_an_audited_event():
    assert REPLAYED <= {kind.ACTION for kind in _audited_types()}


def test_each_audited_event_replays_without_a_problem_into_the_row_it_describes():
    for case in CASES:
        replay = Replay()
        case.before(replay)
        replay.apply(_logged(case.event))
        assert replay.problems == [], type(case.event).__name__
        assert case.got(replay) == case.want, type(case.event).__name__


def test_the_replay_reads_every_audited_event_that_describes_a_table_row():
    described = {type(case.event).ACTION for case in CASES if case.want is not None}
    assert described == REPLAYED
