"""Replaying the log into memberships and votes, and naming every table row that differs from it."""

from __future__ import annotations

from datetime import datetime

from bot.domain.audit import AuditEvent
from bot.domain.audit_delegation import legacy_rows
from bot.domain.audit_replay import Replay, member_differences, vote_differences

AT = datetime(2025, 4, 1, 9, 30)


def replay(*events: tuple[str, dict]) -> Replay:
    state = Replay()
    for seq, (action, payload) in enumerate(events, start=1):
        state.apply(AuditEvent(seq, "U1", action, payload, AT, "0" * 64, "1" * 64))
    return state


def seat(user: str, organisation: str = "Leeds", role: str = "member", board: int = 3) -> dict:
    return {"board_id": board, "user": user, "organisation": organisation, "role": role}


def test_members_are_added_updated_and_removed_in_log_order():
    state = replay(("member.added", seat("U1")), ("member.added", seat("U2")),
                   ("member.updated", seat("U1", "York", "chair")), ("member.removed", seat("U2")),
                   ("organisation.added", {"organisation": "Hull"}))
    assert state.members == {(3, "U1"): ("York", "chair")}


def test_a_member_whose_role_differs_is_named_with_both_sides():
    lines = member_differences({(3, "U5"): ("Leeds", "observer")}, {(3, "U5"): ("Leeds", "member")})
    assert lines == ["members: board 3, user U5: the table says member for Leeds, the log says observer for Leeds"]


def test_members_only_in_the_table_or_only_in_the_log_are_named():
    lines = member_differences({(3, "U1"): ("Leeds", "chair")}, {(4, "U2"): ("York", "member")})
    assert lines == ["members: board 3, user U1: in the log (chair for Leeds) but not in the table",
                     "members: board 4, user U2: in the table (member for York) but not in the log"]


def test_matching_members_and_votes_give_no_lines():
    state = replay(("member.added", seat("U1")),
                   ("vote.recorded", {"proposal_id": 12, "position": "agree", "user": "U1"}))
    assert member_differences(state.members, {(3, "U1"): ("Leeds", "member")}) == []
    assert vote_differences(state.votes, {(12, "U1"): "agree"}) == []


def test_the_last_recorded_position_is_the_one_replayed():
    state = replay(("vote.recorded", {"proposal_id": 12, "position": "agree", "user": "U3"}),
                   ("vote.recorded", {"proposal_id": 12, "position": "object", "user": "U3", "reason": "cost"}))
    assert state.votes == {(12, "U3"): "object"}


def test_a_vote_whose_position_differs_or_is_missing_is_named():
    lines = vote_differences({(12, "U1"): "agree"}, {(12, "U1"): "object", (12, "U3"): "agree"})
    assert lines == ["votes: proposal 12, user U1: the table says object, the log says agree",
                     "votes: proposal 12, user U3: in the table (agree) but not in the log"]


def test_secret_ballot_votes_are_keyed_by_pseudonym_and_named_by_the_tables_user():
    state = replay(("vote.recorded", {"proposal_id": 7, "position": "agree", "voter": "ab12cd34ef56ab78"}))
    assert state.votes == {(7, "ab12cd34ef56ab78"): "agree"} and state.secret == {7}
    lines = vote_differences(state.votes, {(7, "ab12cd34ef56ab78"): "abstain"}, secret=state.secret,
                             names={(7, "ab12cd34ef56ab78"): "U9"})
    assert lines == ["votes: proposal 7, user U9 (secret ballot): the table says abstain, the log says agree"]
    lonely = vote_differences(state.votes, {}, secret=state.secret)
    assert lonely == ["votes: proposal 7, secret-ballot voter ab12cd34ef56ab78: in the log (agree) but not in the "
                      "table"]


def test_secret_ballots_recorded_before_pseudonyms_are_skipped_not_reported():
    state = replay(("vote.recorded", {"proposal_id": 7, "position": "agree"}),
                   ("vote.recorded", {"proposal_id": 8, "position": "agree", "user": "U1"}))
    assert state.unreplayable == {7}
    assert vote_differences(state.votes, {(7, "U1"): "agree", (8, "U1"): "agree"}, skip=state.unreplayable) == []


def test_a_forged_event_missing_its_fields_is_one_line_naming_them_and_replay_goes_on():
    state = replay(("member.added", {}), ("member.added", {"board_id": 3, "organisation": "Leeds", "role": "member"}),
                   ("vote.recorded", ["not", "an", "object"]), ("member.added", seat("U1")))
    assert state.problems == ["event 1 member.added: missing fields board_id, user, organisation, role",
                              "event 2 member.added: missing field user",
                              "event 3 vote.recorded: its payload is list, not an object"]
    assert state.members == {(3, "U1"): ("Leeds", "member")}


def test_a_payload_of_the_wrong_shape_is_one_line_not_a_traceback():
    state = replay(("chain.set", {"organisation": "Leeds", "organisation_id": 7, "levels": [{"title": "CFO"}]}),
                   ("authority.set", {"organisation": "Leeds", "organisation_id": 7, "user": "U1",
                                      "category": "finance", "limit": "none", "valid_from": "someday", "version": 1}))
    assert state.problems == [
        "event 1 chain.set: missing fields approvers, channel, limit_pence, response_days",
        "event 2 authority.set: 'someday' is not a date"]


def test_a_limit_raised_from_a_later_date_keeps_what_is_left_of_the_old_one_as_its_own_version():
    limit = {"organisation": "Leeds", "organisation_id": 7, "user": "U1", "category": "finance", "valid_until": None}
    state = replay(("authority.set", {**limit, "limit": "up to £10,000", "valid_from": "2026-01-01", "version": 1}),
                   ("authority.set", {**limit, "limit": "up to £50,000", "valid_from": "2026-03-01", "version": 3}))
    rows = state.authorities.rows
    assert rows[(7, "U1", "finance", 1)]["superseded"] is True
    assert rows[(7, "U1", "finance", 2)] == {"limit": "up to £10,000", "valid_from": "2026-01-01",
                                                  "valid_until": "2026-02-28", "granted_by": "U1",
                                                  "superseded": False}
    assert rows[(7, "U1", "finance", 3)]["limit"] == "up to £50,000" and not state.authorities.unprovable


def test_versions_the_log_cannot_account_for_are_left_uncompared():
    limit = {"organisation": "Leeds", "organisation_id": 7, "user": "U1", "category": "finance", "valid_until": None,
             "valid_from": "2026-01-01", "limit": "yes"}
    state = replay(("authority.set", {**limit, "version": 4}))
    assert state.authorities.unprovable == {(7, "U1", "finance", v) for v in (1, 2, 3)}


def test_limits_and_chains_logged_before_organisation_ids_are_kept_by_name_through_renames_not_compared():
    state = replay(("authority.set", {"organisation": "Leeds", "user": "U1", "category": "finance", "limit": "yes",
                                      "valid_from": "2026-01-01", "version": 1}),
                   ("chain.set", {"organisation": "Leeds", "levels": []}),
                   ("organisation.renamed", {"boards": [3], "was": "Leeds", "name": "Leeds Trust"}))
    assert state.authorities.rows == {} and state.chains.rows == {}
    assert state.authorities.legacy == {("Leeds", "U1", "finance"), ("Leeds Trust", "U1", "finance")}
    table = {(7, "U1", "finance", 1): {}, (8, "U1", "finance", 1): {}}
    assert legacy_rows(table, {7: "Leeds Trust", 8: "York"}, set(), state.authorities.legacy) == {
        (7, "U1", "finance", 1)}
    assert state.chains.legacy == {("Leeds",), ("Leeds Trust",)}


def test_rounds_opened_since_answers_are_logged_are_compared_whole_and_older_ones_only_where_logged():
    answered = {"user": "U1", "question_id": "q1", "value": "yes", "note": "", "evidence": ""}
    state = replay(("checklist.opened", {"round_id": 4}), ("checklist.answered", {"round_id": 4, **answered}),
                   ("checklist.opened", {"round_id": 5, "answers_logged": True}))
    answers = state.answers
    assert [answers.logs_every_answer(r) for r in (4, 5, 6)] == [False, True, True]
    assert answers.rows == {(4, "U1", "q1"): {"value": "yes", "note": "", "evidence": ""}}
