"""The outbox table's rules: add, reschedule, cancel, claim and record, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.jobs import JobState, Outcome, OutcomeKind
from tests.integration.test_dispatch_fakes import SECOND, T0, add, post, status

LEASE = timedelta(seconds=15)


def claim(db, *, owner="A#1", now=T0, kinds=("post",), limit=10, pace=SECOND, skip=()):
    """Claim due jobs as one dispatcher would."""
    with db.uow() as uow:
        claimed = uow.outbox.claim(kinds=kinds, owner=owner, now=now, lease=LEASE, limit=limit, pace=pace, skip=skip)
        uow.commit()
    return claimed


def finish(db, claimed, outcome, *, now=T0) -> bool:
    """Record one outcome as a dispatcher would."""
    with db.uow() as uow:
        held = uow.outbox.finish(claimed, outcome, now=now)
        uow.commit()
    return held


SENT = Outcome(OutcomeKind.SENT, result={"ts": "1.1"})


def test_adding_a_pending_job_again_keeps_one_row_with_the_earlier_due_time(db):
    add(db, post("k", due=T0 + 10 * SECOND))
    add(db, post("k", due=T0 + 5 * SECOND), post("k", due=T0 + 20 * SECOND))
    job = status(db, "k")
    assert (job.state, job.due_at) == (JobState.PENDING, T0 + 5 * SECOND)
    assert len(claim(db, now=T0 + 5 * SECOND)) == 1


def test_a_job_already_sent_is_not_added_again(db):
    add(db, post("k"))
    finish(db, claim(db)[0], SENT)
    add(db, post("k", due=T0 + SECOND), now=T0 + SECOND)
    assert status(db, "k").state is JobState.DONE
    assert claim(db, now=T0 + timedelta(hours=1)) == []


def test_a_job_being_sent_is_not_added_again_unless_it_is_a_redraw(db):
    add(db, post("k"))
    claimed = claim(db)[0]
    add(db, post("k"))
    assert finish(db, claimed, SENT)
    assert status(db, "k").state is JobState.DONE


def test_redraws_asked_for_while_one_runs_make_one_more_run_no_sooner_than_its_spacing(db):
    spacing = timedelta(seconds=2)
    add(db, post("poll", redraw=True, spacing=spacing))
    claimed = claim(db)[0]
    for n in range(5):
        add(db, post("poll", due=T0 + n * SECOND / 10, redraw=True, spacing=spacing), now=T0 + n * SECOND / 10)
    assert status(db, "poll").rerun
    finish(db, claimed, SENT, now=T0 + SECOND)
    job = status(db, "poll")
    assert (job.state, job.due_at, job.rerun, job.result) == (JobState.PENDING, T0 + 3 * SECOND, False, {"ts": "1.1"})
    assert claim(db, now=T0 + 2 * SECOND) == []
    again = claim(db, now=T0 + 3 * SECOND)
    assert [c.job.key for c in again] == ["poll"]
    assert again[0].result == {"ts": "1.1"}


def test_a_redraw_of_a_finished_job_is_pending_again_no_sooner_than_spacing_after_it_finished(db):
    add(db, post("poll", redraw=True, spacing=2 * SECOND))
    finish(db, claim(db)[0], Outcome(OutcomeKind.FAILED, error="internal_error"), now=T0 + SECOND)
    add(db, post("poll", due=T0 + SECOND, redraw=True, spacing=2 * SECOND), now=T0 + SECOND)
    job = status(db, "poll")
    assert (job.state, job.due_at, job.attempts, job.last_error) == (JobState.PENDING, T0 + 3 * SECOND, 0, None)


def test_an_earlier_redraw_of_a_pending_job_still_keeps_its_spacing(db):
    add(db, post("poll", redraw=True, spacing=2 * SECOND))
    finish(db, claim(db)[0], SENT, now=T0)
    add(db, post("poll", due=T0 + 5 * SECOND, redraw=True, spacing=2 * SECOND), now=T0)
    add(db, post("poll", due=T0, redraw=True, spacing=2 * SECOND), now=T0)
    assert status(db, "poll").due_at == T0 + 2 * SECOND


def test_bringing_forward_makes_waiting_jobs_of_that_key_due_now_and_no_others(db):
    # An outcome that ran before its poll was posted waits out a backoff; the poll's post brings it forward.
    waiting = [post("poll.outcome:12", due=T0 + 30 * SECOND), post("poll.outcome:12:2026-12-01", due=T0 + 9 * SECOND)]
    others = [post("poll.outcome:123", due=T0 + 30 * SECOND), post("poll.outcome:1", due=T0 + 30 * SECOND)]
    add(db, *waiting, *others)
    with db.uow() as uow:
        assert uow.outbox.bring_forward("poll.outcome:12", now=T0) == 2
        uow.commit()
    assert [status(db, job.key).due_at for job in waiting] == [T0, T0]
    assert [status(db, job.key).due_at for job in others] == [T0 + 30 * SECOND] * 2


def test_reschedule_moves_a_pending_job_either_way_and_leaves_a_running_one(db):
    add(db, post("close", due=T0 + timedelta(days=7)), post("busy"))
    busy = claim(db)[0]
    with db.uow() as uow:
        uow.outbox.reschedule("close", T0 + timedelta(days=9), now=T0)
        uow.outbox.reschedule("busy", T0 + timedelta(days=9), now=T0)
        uow.commit()
    assert status(db, "close").due_at == T0 + timedelta(days=9)
    assert (status(db, "busy").state, status(db, "busy").due_at) == (JobState.RUNNING, T0)
    assert finish(db, busy, SENT)


def test_cancel_marks_a_pending_job_done_without_sending_and_leaves_a_running_one(db):
    add(db, post("close", due=T0 + timedelta(days=7)), post("busy"))
    busy = claim(db)[0]
    with db.uow() as uow:
        uow.outbox.cancel("close", now=T0)
        uow.outbox.cancel("busy", now=T0)
        uow.commit()
    assert (status(db, "close").state, status(db, "close").finished_at) == (JobState.DONE, T0)
    assert claim(db, now=T0 + timedelta(days=8), skip=[busy.id]) == []
    assert status(db, "busy").state is JobState.RUNNING
    assert finish(db, busy, SENT)


def test_only_the_holder_of_the_current_lease_records_an_outcome(db):
    add(db, post("k"))
    first = claim(db, owner="A#1")[0]
    assert claim(db, owner="B#1", now=T0 + LEASE - SECOND) == []
    second = claim(db, owner="B#1", now=T0 + LEASE)[0]
    assert second.attempts == 2
    assert not finish(db, first, Outcome(OutcomeKind.SENT, result={"ts": "from A"}), now=T0 + LEASE)
    assert (status(db, "k").state, status(db, "k").lease_owner) == (JobState.RUNNING, "B#1")
    assert finish(db, second, Outcome(OutcomeKind.SENT, result={"ts": "from B"}), now=T0 + LEASE)
    assert status(db, "k").result == {"ts": "from B"}


def test_an_extended_lease_is_not_claimed_by_anyone_else_and_a_lost_one_is_not_extended(db):
    add(db, post("k"), post("j"))
    k, j = claim(db, owner="A#1")
    with db.uow() as uow:
        assert uow.outbox.extend([k], now=T0 + 10 * SECOND, lease=LEASE) == {k.id}
        uow.commit()
    stolen = claim(db, owner="B#1", now=T0 + LEASE)
    assert [c.job.key for c in stolen] == ["j"]
    with db.uow() as uow:
        assert uow.outbox.extend([k, j], now=T0 + LEASE, lease=LEASE) == {k.id}


def test_a_claim_takes_due_jobs_of_its_kinds_one_per_channel_and_skips_what_it_is_told(db):
    add(db, post("a1", "C1"), post("a2", "C1"), post("b1", "C2"), post("late", "C3", due=T0 + SECOND),
        post("other", "C4", kind="update"), post("dm", None), post("mine", "C5"))
    mine = claim(db, limit=1, kinds=("post",))
    assert [c.job.key for c in mine] == ["a1"]
    claimed = claim(db, kinds=("post",), now=T0, skip=[mine[0].id])
    assert sorted(c.job.key for c in claimed) == ["b1", "dm", "mine"]
    assert all(c.attempts == 1 and c.lease_until == T0 + LEASE for c in claimed)


def test_a_channel_is_booked_for_every_process_until_its_pace_allows_the_next_post(db):
    add(db, post("a1", "C1"), post("a2", "C1"))
    assert [c.job.key for c in claim(db, owner="A#1")] == ["a1"]
    assert claim(db, owner="B#1", now=T0 + SECOND / 2) == []
    assert [c.job.key for c in claim(db, owner="B#1", now=T0 + SECOND)] == ["a2"]


def test_a_paused_method_is_recorded_for_all_and_only_pushed_later(db):
    with db.uow() as uow:
        uow.outbox.pause("chat.postMessage", T0 + 30 * SECOND)
        uow.outbox.pause("chat.postMessage", T0 + 10 * SECOND)
        uow.commit()
    with db.read() as uow:
        assert uow.outbox.paused(now=T0) == {"chat.postMessage": T0 + 30 * SECOND}
        assert uow.outbox.paused(now=T0 + 30 * SECOND) == {}


def test_a_deferral_gives_the_attempt_back_and_a_retry_keeps_it(db):
    add(db, post("d"), post("r"))
    d, r = claim(db)
    finish(db, d, Outcome(OutcomeKind.DEFERRED, error="ratelimited", at=T0 + 30 * SECOND))
    finish(db, r, Outcome(OutcomeKind.RETRY, error="internal_error", detail="HTTP 500", at=T0 + 2 * SECOND))
    assert (status(db, "d").attempts, status(db, "d").due_at) == (0, T0 + 30 * SECOND)
    assert (status(db, "r").attempts, status(db, "r").last_error) == (1, "internal_error: HTTP 500")


def test_the_next_due_moment_counts_due_times_channel_pace_and_lease_ends(db):
    add(db, post("a1", "C1"), post("a2", "C1"), post("later", "C2", due=T0 + 5 * SECOND))
    claim(db, limit=1)
    with db.read() as uow:
        assert uow.outbox.next_due(["post"], now=T0) == T0 + SECOND
        assert uow.outbox.next_due(["other"], now=T0) is None


def test_prune_forgets_only_jobs_finished_before_the_cut(db):
    add(db, post("old"), post("new"), post("waiting", due=T0 + timedelta(days=30)))
    old, new = claim(db)
    finish(db, old, SENT, now=T0)
    finish(db, new, SENT, now=T0 + timedelta(days=8))
    with db.uow() as uow:
        assert uow.outbox.prune(before=T0 + timedelta(days=7)) == 1
        uow.commit()
    assert [status(db, k) is None for k in ("old", "new", "waiting")] == [True, False, False]
