"""The registry of job kinds: each kind declared once, whole, and nothing outside it switching on a job's kind."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import sys
import types
import typing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain import events
from bot.domain.events import Route
from bot.domain.jobs import Cancel, Job, Reschedule
from bot.outbound.kinds.base import JobKind, Payload, nobody
from bot.outbound.registry import BY_NAME, KINDS, Kind, effects_of
from bot.services.uow import unwired
from tests.fakes import FakeDatabase

ROOT = Path(__file__).resolve().parents[2]
AT = datetime(2027, 3, 1, 9, 30, tzinfo=UTC)
LATER = AT + timedelta(days=2)
SAMPLES = {int: 7, str: "C42", bool: True, datetime: LATER, Route: Route("T1", "U1", "C1", "https://hooks/1"),
           dict: {"text": "hello", "n": 2}}


def sample(cls: type, **given):
    """An instance of a dataclass with `given` fields and a sample value for each other field without a default."""
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if f.name in given or f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING:
            continue
        hint = hints[f.name]
        if isinstance(hint, types.UnionType):
            hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
        given[f.name] = ("U1", "U2") if typing.get_origin(hint) is tuple else SAMPLES.get(hint)
    return cls(**given)


def test_every_kind_has_a_payload_type_a_named_sender_and_a_failure_audience():
    assert len(KINDS) >= 21 and set(BY_NAME) == {k.value for k in Kind}
    for constant, kind in KINDS.items():
        assert isinstance(kind, JobKind) and kind.name == Kind[constant]
        assert dataclasses.is_dataclass(kind.payload) and issubclass(kind.payload, Payload), kind.name
        assert kind.payload.__dataclass_params__.frozen, f"{kind.name}'s payload must be frozen"
        module = sys.modules[kind.send.__module__]
        assert getattr(module, kind.send.__name__, None) is kind.send, f"{kind.name}'s sender is a named function"
        assert module.__name__.startswith("bot.outbound.kinds."), kind.name
        assert list(inspect.signature(kind.send).parameters) == ["ctx", "job", "p"], kind.name
        assert callable(kind.audience), f"{kind.name} must say who is told when it fails (nobody: the log only)"
        assert kind.method, kind.name


def test_only_the_kinds_of_one_persons_messages_and_of_database_work_tell_nobody_on_failure():
    told_nobody = {kind.name for kind in KINDS.values() if kind.audience is nobody}
    assert told_nobody == {"notice", "message.replace", "home.refresh", "interest.decided", "action.remind",
                           "action.overdue", "poll.close", "poll.remind", "escalation.due", "round.close",
                           "round.remind", "requests.prune"}


@pytest.mark.parametrize("kind", list(KINDS.values()), ids=lambda kind: kind.name)
def test_each_payload_encodes_to_json_and_decodes_to_the_same_value(kind):
    payload = sample(kind.payload)
    stored = json.loads(json.dumps(payload.encode(), separators=(",", ":"), sort_keys=True, default=str))
    assert kind.payload.decode(stored) == payload
    assert kind.job("key", AT, payload).payload == payload.encode()


def test_a_review_job_queued_before_snoozes_existed_still_decodes():
    review = BY_NAME["review.due"].payload
    assert review.decode({"review": 3, "due": LATER.isoformat()}) == review(3, LATER)


def _effects(event) -> list[tuple]:
    return [(type(e).__name__, e.kind, e.key) if isinstance(e, Job) else (type(e).__name__, e.key)
            for e in effects_of(event)]


def test_one_events_effects_come_in_the_order_they_always_have():
    assert _effects(sample(events.PollClosed, at=AT, proposal_id=5, channel_id="C1")) == [
        ("Cancel", "poll.close:5"), ("Cancel", "poll.remind:5"), ("Job", "poll.render", "poll.render:5"),
        ("Job", "poll.outcome", "poll.outcome:5")]
    assert _effects(events.DeadlineSet(AT, 5, LATER, AT)) == [
        ("Job", "poll.close", "poll.close:5"), ("Reschedule", "poll.close:5"),
        ("Job", "poll.remind", "poll.remind:5"), ("Reschedule", "poll.remind:5")]
    assert _effects(events.DeadlineSet(AT, 5, LATER)) == [
        ("Job", "poll.close", "poll.close:5"), ("Reschedule", "poll.close:5"), ("Cancel", "poll.remind:5")]
    assert _effects(sample(events.OutcomeSettled, at=AT, proposal_id=5, channel_id="C1")) == [
        ("Job", "poll.render", "poll.render:5"), ("Job", "poll.outcome", f"poll.outcome:5:{AT.isoformat()}")]
    asked = events.EscalationAsked(AT, 9, 1, ("U1", "U2"), LATER)
    assert _effects(asked) == [("Job", "escalation.ask", "escalation.ask:9:1:ask:U1"),
                               ("Job", "escalation.ask", "escalation.ask:9:1:ask:U2"),
                               ("Job", "escalation.due", f"escalation.due:9:{LATER.isoformat()}")]
    assert _effects(sample(events.RoundOpened, at=AT, round_id=4, closes_at=LATER, remind_at=AT)) == [
        ("Job", "round.close", "round.close:4"), ("Job", "round.remind", "round.remind:4")]
    assert _effects(events.ReportRequested(AT, 4, "C1")) == [
        ("Job", "report.post", f"report.post:4:{AT.isoformat()}"),
        ("Job", "report.chart", f"report.chart:4:{AT.isoformat()}")]
    assert _effects(events.ActionScheduled(AT, 8, AT, LATER)) == [
        ("Job", "action.remind", "action.remind:8"), ("Job", "action.overdue", "action.overdue:8")]
    assert _effects(events.EscalationEnded(AT, 9, LATER)) == [("Cancel", f"escalation.due:9:{LATER.isoformat()}")]


CAUSING_JOBS = ["BoardCreated", "MembershipChanged", "PollChanged", "DeadlineSet", "ReviewScheduled", "PollClosed",
                "Notice", "Replaced", "InterestDeclared", "InterestDecided", "EscalationAsked", "OutcomeSettled",
                "EscalationEnded", "RoundOpened", "ReportRequested", "ActionScheduled", "DigestDue"]


@pytest.mark.parametrize("name", CAUSING_JOBS)
def test_each_event_that_reaches_slack_has_a_kind_reacting_to_it(name):
    cls = getattr(events, name)
    assert any(cls in kind.reacts for kind in KINDS.values())
    assert all(isinstance(e, Job | Reschedule | Cancel) for e in effects_of(sample(cls, at=AT)))


def _compares_a_jobs_kind(node: ast.AST) -> bool:
    """A comparison or match on `job.kind` (or `x.job.kind`), or one that names a Kind member or a kind's name."""
    def is_job_kind(n: ast.AST) -> bool:
        return (isinstance(n, ast.Attribute) and n.attr == "kind" and (
            isinstance(n.value, ast.Name) and n.value.id == "job"
            or isinstance(n.value, ast.Attribute) and n.value.attr == "job"))

    def names_a_kind(n: ast.AST) -> bool:
        return (isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "Kind"
                or isinstance(n, ast.Constant) and n.value in BY_NAME)

    if isinstance(node, ast.Compare):
        operands = [node.left, *node.comparators]
        flat = [e for o in operands for e in (o.elts if isinstance(o, ast.Tuple | ast.List | ast.Set) else [o])]
        return any(is_job_kind(o) or names_a_kind(o) for o in flat)
    return isinstance(node, ast.Match) and is_job_kind(node.subject)


def test_no_module_outside_the_registry_compares_a_jobs_kind():
    allowed = [ROOT / "bot/outbound/registry.py", ROOT / "bot/outbound/kinds"]
    offenders = []
    for folder in ("bot", "handlers", "prompts", "storage"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if any(path == a or a in path.parents for a in allowed):
                continue
            tree = ast.parse(path.read_text(), str(path))
            offenders += [f"{path.relative_to(ROOT)}:{n.lineno}" for n in ast.walk(tree) if _compares_a_jobs_kind(n)]
    assert offenders == []


def test_the_check_would_catch_a_switch_on_kind():
    switches = ["if job.kind == Kind.HOME: pass", "if claimed.job.kind in ('notice', 'home.refresh'): pass",
                "match claimed.job.kind:\n    case 'notice': pass", "ok = kind in (Kind.NOTICE, Kind.HOME)"]
    for source in switches:
        assert any(_compares_a_jobs_kind(n) for n in ast.walk(ast.parse(source))), source


def test_a_database_built_without_the_registry_refuses_to_commit_an_event_rather_than_drop_its_jobs():
    db = FakeDatabase(AT, effects=unwired)
    with pytest.raises(TypeError, match="effects"), db.uow() as uow:
        uow.record(events.PollChanged(AT, 1, "C1"))
        uow.commit()
    assert db.jobs() == []
