"""Scoring a checklist round, the selector's recommendation and moving between questions."""

from __future__ import annotations

import dataclasses

import pytest

from bot.domain.assessment import (
    DEFAULT_INFORMAL,
    REMINDER,
    TAKE_ADVICE,
    Answer,
    Rag,
    distribution,
    next_question,
    previous_question,
    progress,
    recommend,
    score_round,
)
from bot.domain.checklists import Area, Option, Question, Template, Thresholds

SCALE = (
    Option("yes", "Yes", 2),
    Option("partly", "Partly", 1),
    Option("no", "No", 0),
    Option("not_sure", "Not sure", None),
)


def question(qid: str, *, critical: bool = False, options: tuple[Option, ...] = SCALE) -> Question:
    """A question on the yes / partly / no scale unless told otherwise."""
    return Question(id=qid, text=f"Question {qid}?", help="", evidence="", critical=critical, options=options)


def area(aid: str, *questions: Question) -> Area:
    return Area(id=aid, title=f"Area {aid}", questions=questions)


def template(*areas: Area, kind: str = "assessment", green: float = 0.8, amber: float = 0.5) -> Template:
    return Template(
        id="tpl", title="Readiness", version=1, kind=kind, attributed=False, scale=SCALE,
        thresholds=Thresholds(green=green, amber=amber), areas=areas,
    )


def one_area(*ids: str, critical: str = "") -> Template:
    """A template with a single area "a" holding these questions."""
    return template(area("a", *(question(q, critical=q == critical) for q in ids)))


def said(**values: str) -> list[Answer]:
    """One member's answers, question id -> option value."""
    return [Answer(qid, value) for qid, value in values.items()]


# Scoring


def test_yes_scores_full_partly_half_and_no_nothing():
    report = score_round(one_area("q1", "q2", "q3"), {"m1": said(q1="yes", q2="partly", q3="no")})
    assert report.areas[0].score == pytest.approx(3 / 6)


def test_an_area_score_pools_every_members_scored_answers():
    answers = {"m1": said(q1="yes", q2="yes"), "m2": said(q1="no", q2="partly")}
    result = score_round(one_area("q1", "q2"), answers).areas[0]
    assert result.score == pytest.approx(5 / 8)
    assert result.answered == 4


def test_not_sure_is_counted_apart_and_left_out_of_the_score():
    answers = {"m1": said(q1="yes", q2="not_sure"), "m2": said(q1="not_sure", q2="partly")}
    result = score_round(one_area("q1", "q2"), answers).areas[0]
    assert result.score == pytest.approx(3 / 4)
    assert (result.answered, result.not_sure) == (2, 2)


def test_an_area_with_only_not_sure_answers_has_no_score_and_no_rating():
    result = score_round(one_area("q1"), {"m1": said(q1="not_sure")}).areas[0]
    assert (result.score, result.rag, result.not_sure) == (None, Rag.NONE, 1)


def test_an_area_nobody_answered_has_no_score():
    report = score_round(one_area("q1"), {})
    assert (report.areas[0].score, report.areas[0].rag, report.overall, report.overall_rag) == (
        None, Rag.NONE, None, Rag.NONE,
    )


def test_a_critical_no_turns_an_area_red_despite_a_high_score():
    ids = [f"q{i}" for i in range(10)]
    answers = {"m1": said(**{qid: "yes" for qid in ids[:-1]}, q9="no")}
    result = score_round(one_area(*ids, critical="q9"), answers).areas[0]
    assert result.score == pytest.approx(0.9)
    assert result.rag is Rag.RED
    assert result.critical_noes == ("q9",)


def test_a_critical_partly_does_not_turn_an_area_red():
    result = score_round(one_area("q1", "q2", critical="q2"), {"m1": said(q1="yes", q2="partly")}).areas[0]
    assert result.rag is Rag.AMBER
    assert result.critical_noes == ()


def test_a_score_exactly_at_the_green_threshold_is_green():
    answers = {"m1": said(q1="yes", q2="yes", q3="yes", q4="yes", q5="no")}
    result = score_round(one_area("q1", "q2", "q3", "q4", "q5"), answers).areas[0]
    assert result.score == 0.8
    assert result.rag is Rag.GREEN


def test_a_score_exactly_at_the_amber_threshold_is_amber():
    answers = {"m1": said(q1="yes", q2="yes", q3="partly", q4="no", q5="no")}
    result = score_round(one_area("q1", "q2", "q3", "q4", "q5"), answers).areas[0]
    assert result.score == 0.5
    assert result.rag is Rag.AMBER


def test_a_score_just_below_amber_is_red():
    answers = {"m1": said(q1="yes", q2="yes", q3="no", q4="no", q5="no")}
    assert score_round(one_area("q1", "q2", "q3", "q4", "q5"), answers).areas[0].rag is Rag.RED


def test_a_members_last_answer_to_a_question_wins():
    result = score_round(one_area("q1"), {"m1": said(q1="no") + said(q1="yes")}).areas[0]
    assert (result.score, result.answered) == (1.0, 1)


def test_an_unknown_answer_value_raises_when_scoring():
    with pytest.raises(ValueError):
        score_round(one_area("q1"), {"m1": said(q1="maybe")})


def test_answers_to_questions_not_in_the_template_are_ignored():
    report = score_round(one_area("q1"), {"m1": said(q1="yes"), "m2": said(gone="no")})
    assert (report.members, report.areas[0].score) == (1, 1.0)


# Discussion items


def test_a_yes_and_a_no_is_a_discussion_item_with_spread_one():
    result = score_round(one_area("q1"), {"m1": said(q1="yes"), "m2": said(q1="no")}).areas[0]
    [item] = result.disagreements
    assert (item.question_id, item.text, item.spread) == ("q1", "Question q1?", 1.0)


def test_a_partly_and_no_pair_is_listed_after_a_yes_and_no():
    answers = {"m1": said(q1="partly", q2="yes"), "m2": said(q1="no", q2="no")}
    result = score_round(one_area("q1", "q2"), answers).areas[0]
    assert [(d.question_id, d.spread) for d in result.disagreements] == [("q2", 1.0), ("q1", 0.5)]


def test_members_who_agree_raise_no_discussion_item():
    answers = {"m1": said(q1="yes", q2="partly"), "m2": said(q1="yes", q2="partly")}
    assert score_round(one_area("q1", "q2"), answers).areas[0].disagreements == ()


def test_not_sure_plays_no_part_in_disagreement():
    answers = {"m1": said(q1="yes"), "m2": said(q1="not_sure")}
    assert score_round(one_area("q1"), answers).areas[0].disagreements == ()


def test_at_most_five_discussion_items_are_listed_per_area():
    ids = [f"q{i}" for i in range(7)]
    answers = {"m1": said(**{q: "yes" for q in ids}), "m2": said(**{q: "no" for q in ids})}
    result = score_round(one_area(*ids), answers).areas[0]
    assert [d.question_id for d in result.disagreements] == ids[:5]


def test_a_discussion_item_counts_how_many_chose_each_option():
    answers = {"m1": said(q1="yes"), "m2": said(q1="yes"), "m3": said(q1="no"), "m4": said(q1="not_sure")}
    [item] = score_round(one_area("q1"), answers).areas[0].disagreements
    assert item.counts == {"yes": 2, "partly": 0, "no": 1, "not_sure": 1}


# Gaps


def test_gaps_are_questions_below_amber_sorted_worst_first():
    answers = {
        "m1": said(q1="partly", q2="no", q3="yes", q4="partly"),
        "m2": said(q1="no", q2="no", q3="partly", q4="partly"),
    }
    result = score_round(one_area("q1", "q2", "q3", "q4"), answers).areas[0]
    assert [(g.question_id, g.share) for g in result.gaps] == [("q2", 0.0), ("q1", 0.25)]


def test_a_critical_question_anyone_answered_no_is_a_gap_listed_first():
    answers = {"m1": said(q1="no", q2="yes"), "m2": said(q1="no", q2="yes"), "m3": said(q1="no", q2="no")}
    result = score_round(one_area("q1", "q2", critical="q2"), answers).areas[0]
    assert [(g.question_id, round(g.share, 2)) for g in result.gaps] == [("q2", 0.67), ("q1", 0.0)]


# Change, overall and members


def test_change_is_the_score_minus_the_previous_rounds():
    tpl = one_area("q1", "q2")
    before = score_round(tpl, {"m1": said(q1="no", q2="partly")})
    after = score_round(tpl, {"m1": said(q1="yes", q2="partly")}, previous=before)
    assert after.areas[0].change == pytest.approx(0.5)


def test_change_is_none_without_a_previous_round():
    assert score_round(one_area("q1"), {"m1": said(q1="yes")}).areas[0].change is None


def test_change_is_none_when_the_previous_round_had_no_score():
    tpl = one_area("q1")
    before = score_round(tpl, {"m1": said(q1="not_sure")})
    assert score_round(tpl, {"m1": said(q1="yes")}, previous=before).areas[0].change is None


def test_the_overall_score_pools_every_areas_answers():
    tpl = template(area("a", question("q1")), area("b", question("q2"), question("q3")))
    report = score_round(tpl, {"m1": said(q1="yes", q2="no", q3="partly")})
    assert report.overall == pytest.approx(3 / 6)
    assert report.overall_rag is Rag.AMBER


def test_any_critical_no_makes_the_overall_rating_red():
    tpl = template(area("a", *(question(f"q{i}") for i in range(9))), area("b", question("c", critical=True)))
    report = score_round(tpl, {"m1": said(**{f"q{i}": "yes" for i in range(9)}, c="no")})
    assert report.overall == pytest.approx(0.9)
    assert report.overall_rag is Rag.RED


def test_members_are_those_who_answered_at_least_one_question():
    answers = {"m1": said(q1="yes"), "m2": said(q1="not_sure"), "m3": [], "m4": said(q1="no")}
    assert score_round(one_area("q1"), answers).members == 3


def _strings(value: object) -> list[str]:
    """Every string reachable from a value: dataclass fields, mapping keys and values, sequence items."""
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value):
        return [s for f in dataclasses.fields(value) for s in _strings(getattr(value, f.name))]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _strings(k) + _strings(v)]
    if isinstance(value, (tuple, list)):
        return [s for item in value for s in _strings(item)]
    return [str(value)]


def test_the_report_never_carries_a_member_key():
    keys = ("U0ALICESECRET", "anon-7f3a9c", "U0BOBHIDDEN")
    answers = {
        keys[0]: said(q1="yes", q2="no"),
        keys[1]: said(q1="no", q2="not_sure"),
        keys[2]: [Answer("q1", "partly", note="see minutes", evidence="board paper")],
    }
    tpl = one_area("q1", "q2", critical="q2")
    report = score_round(tpl, answers, previous=score_round(tpl, answers))
    everything = [repr(report), *_strings(report)]
    assert report.members == 3
    assert not [key for key in keys for text in everything if key in text]


# Distribution


def test_distribution_counts_each_option_with_zeros_for_those_nobody_chose():
    tpl = template(area("a", question("q1")), area("b", question("q2")))
    answers = {"m1": said(q1="yes", q2="not_sure"), "m2": said(q1="yes"), "m3": said(q1="no")}
    assert distribution(tpl, answers) == {
        "q1": {"yes": 2, "partly": 0, "no": 1, "not_sure": 0},
        "q2": {"yes": 0, "partly": 0, "no": 0, "not_sure": 1},
    }


def test_distribution_rejects_an_unknown_answer_value():
    with pytest.raises(ValueError):
        distribution(one_area("q1"), {"m1": said(q1="perhaps")})


# The selector

CHOICES = {
    "risk": (
        Option("shared", "We share financial risk", points_to="formal", reason="You plan to share financial risk."),
        Option("own", "Each keeps its own", points_to="informal", reason="Each partner keeps its own risk."),
    ),
    "decide": (
        Option("joint", "Jointly, binding", points_to="formal", reason="Decisions will bind every partner."),
        Option("steer", "We set joint priorities", points_to="strategic", reason="You set joint priorities."),
        Option("talk", "We share information", points_to="informal", reason="You mostly share information."),
    ),
    "staff": (
        Option("pooled", "A shared team", points_to="strategic", reason="You will run a shared team."),
        Option("none", "No shared staff"),
    ),
}
SELECTOR = template(
    area("s", *(question(qid, options=options) for qid, options in CHOICES.items())), kind="selector"
)


def test_the_selector_recommends_formal_with_every_formal_reason_in_question_order_then_advice():
    choice = recommend(SELECTOR, said(decide="joint", staff="pooled", risk="shared"))
    assert choice.kind == "formal"
    assert choice.reasons == ("You plan to share financial risk.", "Decisions will bind every partner.", TAKE_ADVICE)
    assert choice.take_advice is True


def test_the_selector_recommends_strategic_with_its_reasons_and_no_advice():
    choice = recommend(SELECTOR, said(staff="pooled", decide="steer", risk="own"))
    assert choice.kind == "strategic"
    assert choice.reasons == ("You set joint priorities.", "You will run a shared team.")
    assert choice.take_advice is False
    assert TAKE_ADVICE not in choice.reasons


def test_the_selector_recommends_informal_with_its_reasons():
    choice = recommend(SELECTOR, said(risk="own", decide="talk", staff="none"))
    assert (choice.kind, choice.take_advice) == ("informal", False)
    assert choice.reasons == ("Each partner keeps its own risk.", "You mostly share information.")


def test_the_selector_gives_a_default_reason_when_no_choice_points_anywhere():
    choice = recommend(SELECTOR, said(staff="none"))
    assert (choice.kind, choice.reasons) == ("informal", (DEFAULT_INFORMAL,))


def test_every_recommendation_reminds_that_the_type_is_not_about_commitment():
    for answers in (said(risk="shared"), said(decide="steer"), said()):
        assert recommend(SELECTOR, answers).reminder == REMINDER
    assert "not how committed" in REMINDER


def test_unanswered_selector_questions_are_ignored():
    assert recommend(SELECTOR, said(decide="steer")).reasons == ("You set joint priorities.",)


def test_an_unknown_selector_answer_value_raises():
    with pytest.raises(ValueError):
        recommend(SELECTOR, said(risk="everything"))


def test_recommend_refuses_a_template_that_is_not_a_selector():
    with pytest.raises(ValueError):
        recommend(one_area("q1"), said(q1="yes"))


# Moving between questions

FLOW = template(area("a", question("q1"), question("q2")), area("b", question("q3"), question("q4")))


def test_progress_counts_the_templates_answered_questions_out_of_all():
    assert progress(FLOW, {"q1", "q3", "elsewhere"}) == (2, 4)


def test_the_next_question_is_the_first_unanswered_in_template_order():
    assert next_question(FLOW, {"q1", "q2"}).id == "q3"


def test_the_next_question_after_one_is_the_first_unanswered_beyond_it():
    assert next_question(FLOW, {"q3"}, after="q2").id == "q4"


def test_the_next_question_wraps_round_to_the_start():
    assert next_question(FLOW, {"q2", "q3"}, after="q3").id == "q4"
    assert next_question(FLOW, {"q2", "q3", "q4"}, after="q3").id == "q1"


def test_skipping_the_only_unanswered_question_comes_back_to_it():
    assert next_question(FLOW, {"q1", "q3", "q4"}, after="q2").id == "q2"


def test_there_is_no_next_question_when_all_are_answered():
    assert next_question(FLOW, {"q1", "q2", "q3", "q4"}) is None
    assert next_question(FLOW, {"q1", "q2", "q3", "q4"}, after="q2") is None


def test_the_previous_question_steps_back_across_areas_and_stops_at_the_first():
    assert previous_question(FLOW, "q3").id == "q2"
    assert previous_question(FLOW, "q1") is None
    assert previous_question(FLOW, "missing") is None
