"""Checklist templates: the four that ship and the structural rules every template meets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bot.domain.assessment import Answer, recommend
from bot.domain.checklists import KINDS, TYPES, Template
from bot.domain.errors import NotFound
from bot.domain.template_rules import InvalidTemplate, TemplateError, parse_template
from storage.checklist_files import (
    TemplateFileError,
    UnreadableTemplate,
    load_template,
    shipped_paths,
    shipped_templates,
    template_from_text,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
FIXTURES = REPO_ROOT / "tests" / "fixtures"
SHIPPED_IDS = {"board-diagnostic", "collaboration-type", "governance-enablers", "pulse-check"}


def fixture(name: str) -> Path:
    return FIXTURES / f"checklist_{name}.yaml"


def marked(path: Path, marker: str) -> int:
    """The number of the fixture line carrying the comment `# <- marker`."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if line.rstrip().endswith(f"# <- {marker}"):
            return number
    raise AssertionError(f"{path.name} has no line marked {marker!r}")


def problems(path: Path) -> list[str]:
    """The FILE:LINE: message lines loading `path` gives."""
    with pytest.raises(TemplateFileError) as failed:
        load_template(path)
    return failed.value.lines


def minimal(**changes) -> dict:
    """The smallest valid assessment, as parsed YAML, with top-level keys changed or (with None) removed."""
    data = {
        "id": "tiny", "title": "Tiny", "version": 1, "kind": "assessment",
        "scale": [{"value": "yes", "label": "Yes", "score": 2}, {"value": "no", "label": "No", "score": 0}],
        "areas": [{"id": "only", "title": "Only", "questions": [{"id": "q", "text": "Is it so?"}]}],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def errors_of(data: object) -> list[str]:
    with pytest.raises(InvalidTemplate) as failed:
        parse_template(data)
    return [str(e) for e in failed.value.errors]


@pytest.fixture(scope="module")
def shipped() -> dict[str, Template]:
    return shipped_templates()


# The shipped templates


def test_every_shipped_template_loads_and_is_known_by_its_id(shipped):
    assert set(shipped) == SHIPPED_IDS
    assert {load_template(path).id for path in shipped_paths()} == SHIPPED_IDS
    assert all(t.version == 1 and t.kind in KINDS for t in shipped.values())


def test_the_shipped_templates_are_installed_with_the_package():
    assert all(path.is_file() and path.parent.name == "checklists" for path in shipped_paths())
    package_data = (REPO_ROOT / "pyproject.toml").read_text().split("[tool.setuptools.package-data]", 1)[1]
    assert re.search(r'^prompts = \[.*"checklists/\*\.yaml"', package_data, re.MULTILINE)


def test_the_board_diagnostic_has_six_areas_holding_27_questions(shipped):
    diagnostic = shipped["board-diagnostic"]
    assert diagnostic.title == "Board diagnostic for collaborative working"
    assert [len(a.questions) for a in diagnostic.areas] == [3, 6, 5, 4, 3, 6]
    assert [a.id for a in diagnostic.areas] == ["skills", "purpose", "partners", "decisions", "risks", "enabling"]
    assert all(q.help and q.evidence for q in diagnostic.questions())


def test_the_diagnostic_treats_the_agreement_the_scheme_of_delegation_and_reviewing_delegated_decisions_as_critical(
    shipped,
):
    critical = {q.id for q in shipped["board-diagnostic"].questions() if q.critical}
    assert critical >= {"partners-agreement", "decisions-delegation", "decisions-review"}
    assert "memorandum of understanding" in shipped["board-diagnostic"].question("partners-agreement").text


@pytest.mark.parametrize("template_id", ["board-diagnostic", "governance-enablers"])
def test_assessments_answer_yes_partly_no_or_not_sure_and_not_sure_is_counted_apart(shipped, template_id):
    template = shipped[template_id]
    assert template.kind == "assessment" and template.attributed
    assert [(o.value, o.label, o.score) for o in template.scale] == [
        ("yes", "Yes", 2), ("partly", "Partly", 1), ("no", "No", 0), ("not_sure", "Not sure", None)]
    assert all(q.options == template.scale for q in template.questions())
    assert (template.thresholds.green, template.thresholds.amber) == (0.75, 0.5)


def test_a_critical_question_is_failed_by_its_no_answer(shipped):
    diagnostic = shipped["board-diagnostic"]
    assert diagnostic.lowest(diagnostic.question("decisions-review")).value == "no"


def test_the_governance_enablers_cover_plans_duties_accountability_lawful_decisions_oversight_and_proportion(shipped):
    enablers = shipped["governance-enablers"]
    assert [a.id for a in enablers.areas] == ["plans", "duties", "accountability", "lawful", "oversight", "proportion"]
    words = " ".join(q.text for q in enablers.questions()).lower()
    for needed in ("review", "statutory functions", "duties", "accountability", "assurance", "terms of reference",
                   "scheme of delegation", "scope", "risk", "proportion"):
        assert needed in words, needed


def selector_options(template: Template, question_id: str) -> dict[str, str | None]:
    return {o.value: o.points_to for o in template.question(question_id).options}


def test_every_selector_option_points_to_a_type_and_says_why(shipped):
    selector = shipped["collaboration-type"]
    assert selector.kind == "selector"
    for question in selector.questions():
        for option in question.options:
            assert option.points_to in TYPES, (question.id, option.value)
            assert option.reason.endswith("."), (question.id, option.value)


def test_the_selector_asks_about_the_document_decisions_transfers_functions_leaving_urgency_and_risk(shipped):
    assert [q.id for q in shipped["collaboration-type"].questions()] == [
        "type-document", "type-decisions", "type-transfers", "type-functions", "type-leaving", "type-urgency",
        "type-risk"]


def test_statutory_committees_contracts_transfers_and_joint_statutory_functions_point_to_formal(shipped):
    selector = shipped["collaboration-type"]
    assert selector_options(selector, "type-document") == {"none": "informal", "mou": "informal",
                                                           "statutory": "formal"}
    assert selector_options(selector, "type-transfers")["transfer"] == "formal"
    assert selector_options(selector, "type-functions") == {"no": "informal", "yes": "formal"}
    assert selector_options(selector, "type-leaving") == {"any-time": "informal", "notice": "strategic",
                                                          "contract": "formal"}


def test_shared_decisions_and_notice_periods_point_to_strategic(shipped):
    selector = shipped["collaboration-type"]
    assert selector_options(selector, "type-decisions") == {"own": "informal", "advisory": "informal",
                                                            "shared": "strategic"}
    assert selector_options(selector, "type-leaving")["notice"] == "strategic"


def test_urgency_and_risk_alone_never_point_to_formal(shipped):
    selector = shipped["collaboration-type"]
    for question_id in ("type-urgency", "type-risk"):
        assert set(selector_options(selector, question_id).values()) == {"informal", "strategic"}
    assert selector_options(selector, "type-urgency")["weeks"] == "informal"


def test_the_selector_explains_that_the_type_is_about_governance_not_commitment(shipped):
    help_text = shipped["collaboration-type"].questions()[0].help
    assert "how governance is arranged, not how committed the partners are" in help_text


def test_the_selector_recommends_formal_when_money_moves_and_informal_when_nothing_binds(shipped):
    selector = shipped["collaboration-type"]
    lightest = [Answer(q.id, q.options[0].value) for q in selector.questions()]
    assert recommend(selector, lightest).kind == "informal"
    transfer = recommend(selector, [*lightest, Answer("type-transfers", "transfer")])
    assert transfer.kind == "formal" and any("staff" in reason for reason in transfer.reasons)


def test_the_pulse_check_is_unattributed_with_five_statements_on_a_one_to_five_agreement_scale(shipped):
    pulse = shipped["pulse-check"]
    assert pulse.kind == "pulse" and pulse.attributed is False
    assert [(o.value, o.score) for o in pulse.scale] == [(str(n), n) for n in range(1, 6)]
    assert (pulse.scale[0].label, pulse.scale[-1].label) == ("Strongly disagree", "Strongly agree")
    assert len(pulse.questions()) == 5
    assert all("Disagree if" in q.help for q in pulse.questions())


def test_every_shipped_label_fits_on_a_slack_button(shipped):
    for template in shipped.values():
        for question in template.questions():
            assert 0 < len(question.text) <= 300
            assert all(0 < len(o.label) <= 75 for o in question.options)


# Finding one's way through a template


def test_a_question_knows_its_area_and_its_place_counting_from_one(shipped):
    diagnostic = shipped["board-diagnostic"]
    assert diagnostic.position("skills-needs") == (1, 6, 1, 3)
    assert diagnostic.position("decisions-review") == (4, 6, 3, 4)
    assert diagnostic.position("enabling-functions") == (6, 6, 6, 6)
    assert diagnostic.area_of("decisions-review").title == "Taking decisions together"
    assert diagnostic.question("decisions-review").critical
    assert diagnostic.questions()[0].id == "skills-needs"


def test_asking_for_a_question_the_template_lacks_is_not_found(shipped):
    with pytest.raises(NotFound):
        shipped["board-diagnostic"].question("no-such-question")


# Structural rules, on parsed data


def test_a_minimal_template_is_accepted_with_default_thresholds_and_attribution():
    template = parse_template(minimal())
    assert template.attributed and (template.thresholds.green, template.thresholds.amber) == (0.75, 0.5)
    assert template.question("q").options == template.scale


def test_a_question_with_its_own_options_uses_them_instead_of_the_scale():
    own = [{"value": "a", "label": "A", "score": 1}, {"value": "b", "label": "B", "score": 0}]
    areas = [{"id": "only", "title": "Only", "questions": [{"id": "q", "text": "Which?", "options": own}]}]
    assert [o.value for o in parse_template(minimal(areas=areas)).question("q").options] == ["a", "b"]


def test_something_that_is_not_a_mapping_is_not_a_template():
    assert errors_of(None) == [
        "should be a mapping with keys id, title, version, kind, areas, attributed, scale, thresholds or "
        "min_respondents, not empty"]


def test_every_missing_key_is_named_not_just_the_first():
    assert errors_of({}) == [f"{key}: is missing" for key in ("id", "title", "version", "kind", "areas")]


def test_unknown_keys_wrong_types_and_bad_ids_are_all_reported_with_their_paths():
    found = errors_of(minimal(id="Bad Id", version="1", kind="survey", attributed="no", colour="blue"))
    assert [e.split(":")[0] for e in found] == ["colour", "id", "version", "kind", "attributed"]


@pytest.mark.parametrize(("green", "amber", "wrong"), [
    (0.5, 0.8, "thresholds.amber: should be below green"),
    (0.5, 0.5, "thresholds.amber: should be below green"),
    (1.2, 0.5, "thresholds.green: should be a share of the maximum"),
    (0.8, 0, "thresholds.amber: should be a share of the maximum"),
    (0.8, "half", "thresholds.amber: should be a number between 0 and 1"),
])
def test_thresholds_must_have_amber_above_zero_and_below_green_and_green_at_most_one(green, amber, wrong):
    found = errors_of(minimal(thresholds={"green": green, "amber": amber}))
    assert len(found) == 1 and found[0].startswith(wrong)


def test_an_unquoted_yes_read_as_true_is_explained():
    scale = [{"value": True, "label": "Yes", "score": 2}, {"value": "no", "label": "No", "score": 0}]
    (found,) = errors_of(minimal(scale=scale))
    assert found.startswith("scale[0].value: should be text") and "unquoted yes" in found


def test_duplicate_areas_questions_and_options_are_each_reported():
    scale = [{"value": "yes", "label": "Yes", "score": 2}, {"value": "yes", "label": "Also yes", "score": 1}]
    question = {"id": "q", "text": "Is it so?"}
    areas = [{"id": "a", "title": "A", "questions": [question]}, {"id": "a", "title": "B", "questions": [question]}]
    found = errors_of(minimal(scale=scale, areas=areas))
    assert [e.split(":")[0] for e in found] == ["scale[1].value", "areas[1].id", "areas[1].questions[0].id"]


def test_an_area_needs_questions_and_a_template_needs_areas():
    assert errors_of(minimal(areas=[])) == ["areas: has no areas; add at least one"]
    assert errors_of(minimal(areas=[{"id": "a", "title": "A", "questions": []}])) == [
        "areas[0].questions: is empty; an area needs at least one question"]


def test_a_pulse_must_not_record_who_answered():
    assert errors_of(minimal(kind="pulse")) == [
        "attributed: should be false: a pulse check never shows who gave which answer"]
    assert parse_template(minimal(kind="pulse", attributed=False)).attributed is False


def test_an_unattributed_report_waits_for_three_answers_unless_the_template_asks_for_more():
    assert parse_template(minimal(attributed=False)).min_respondents == 3
    assert parse_template(minimal(attributed=False, min_respondents=5)).min_respondents == 5
    for wrong in (2, 0, "3", True, 2.5):
        (found,) = errors_of(minimal(attributed=False, min_respondents=wrong))
        assert found.startswith("min_respondents: should be a whole number from 3 up"), found


def test_only_an_unattributed_template_takes_a_minimum_of_respondents():
    assert errors_of(minimal(min_respondents=4)) == [
        "min_respondents: is only used when attributed is false: an attributed checklist's report is shown "
        "whoever has answered"]


def test_an_unattributed_template_fits_in_one_form():
    questions = [{"id": f"q{n}", "text": f"Statement {n}"} for n in range(51)]
    (found,) = errors_of(minimal(attributed=False, areas=[{"id": "a", "title": "A", "questions": questions}]))
    assert found.startswith("areas: has 51 questions; an unattributed checklist is answered in one form")


def test_every_selector_option_must_point_to_a_known_type():
    options = [{"value": "a", "label": "A"}, {"value": "b", "label": "B", "points_to": "legal"}]
    areas = [{"id": "only", "title": "Only", "questions": [{"id": "q", "text": "Which?", "options": options}]}]
    found = errors_of(minimal(kind="selector", scale=None, areas=areas))
    assert [e.split(":")[0] for e in found] == ["areas[0].questions[0].options[0].points_to",
                                               "areas[0].questions[0].options[1].points_to"]


def test_a_critical_question_needs_a_scored_option():
    unscored = [{"value": "a", "label": "A"}, {"value": "b", "label": "B"}]
    areas = [{"id": "only", "title": "Only", "questions": [
        {"id": "q", "text": "Which?", "critical": True, "options": unscored}]}]
    (found,) = errors_of(minimal(areas=areas))
    assert found.startswith("areas[0].questions[0].critical: needs scored options")


@pytest.mark.parametrize(("field", "limit"), [("text", 300), ("help", 1000)])
def test_question_text_and_help_have_length_limits(field, limit):
    question = {"id": "q", "text": "Is it so?", field: "x" * (limit + 1)}
    areas = [{"id": "only", "title": "Only", "questions": [question]}]
    assert errors_of(minimal(areas=areas)) == [
        f"areas[0].questions[0].{field}: is {limit + 1} characters long; the most allowed is {limit}"]


def test_an_option_label_longer_than_a_slack_button_allows_is_refused():
    scale = [{"value": "yes", "label": "y" * 76, "score": 2}, {"value": "no", "label": "No", "score": 0}]
    assert errors_of(minimal(scale=scale)) == ["scale[0].label: is 76 characters long; the most allowed is 75"]


def test_a_template_error_reads_as_its_path_then_its_message():
    assert str(TemplateError("areas[2].questions[3].text", "is empty")) == "areas[2].questions[3].text: is empty"
    assert str(TemplateError("", "not a template")) == "not a template"


# Problems in files, with their lines


def test_a_repeated_question_id_is_reported_at_the_line_of_the_repeat():
    path = fixture("duplicate_question")
    assert problems(path) == [f"{path}:{marked(path, 'the repeated id')}: areas[1].questions[0].id: “agreement” "
                              "is also the id of areas[0].questions[0]; each question needs its own"]


def test_a_missing_title_is_reported_at_the_top_of_the_template():
    path = fixture("missing_title")
    assert problems(path) == [f"{path}:2: title: is missing"]


def test_thresholds_the_wrong_way_round_are_reported_at_the_amber_line():
    path = fixture("bad_threshold")
    assert problems(path) == [
        f"{path}:{marked(path, 'above green')}: thresholds.amber: should be below green (0.8 is not below 0.5)"]


def test_broken_yaml_is_reported_at_the_line_where_it_goes_wrong():
    path = fixture("broken_syntax")
    (line,) = problems(path)
    assert line.startswith(f"{path}:11: this is not valid YAML: ")
    assert "unclosed quote" in line


def test_tabs_used_for_indenting_are_named():
    (line,) = problems_in_text("id: x\ntitle: y\n\tversion: 1\n")
    assert line.startswith("t.yaml:3: this is not valid YAML") and "spaces, not tabs" in line


def problems_in_text(text: str) -> list[str]:
    with pytest.raises(TemplateFileError) as failed:
        template_from_text(text, name="t.yaml")
    return failed.value.lines


def test_an_empty_file_is_not_a_template():
    (line,) = problems_in_text("")
    assert line.startswith("t.yaml:1: should be a mapping")


def test_every_problem_in_a_file_is_reported_each_at_its_own_line_in_file_order():
    path = fixture("many_errors")
    lines = problems(path)
    expected = {
        "bad id": "id: “Many_Errors” should be lowercase letters",
        "bad version": "version: should be a whole number from 1 up",
        "pulse attributed": "attributed: should be false",
        "unknown key": "colour: is not a key used here",
        "points_to outside a selector": "scale[1].points_to: is only used in a selector",
        "green above 1": "thresholds.green: should be a share of the maximum",
        "critical not true or false": "areas[0].questions[0].critical: should be true or false, not “yes”",
        "long label": "areas[0].questions[1].options[0].label: is 78 characters long",
        "duplicate area": "areas[1].id: “feelings” is also the id of areas[0]",
        "empty area": "areas[1].questions: is empty",
        "duplicate key": "“title” is written twice here",
        "critical without scores": "areas[2].questions[0].critical: needs scored options",
    }
    for marker, message in expected.items():
        assert any(line.startswith(f"{path}:{marked(path, marker)}: {message}") for line in lines), marker
    assert any(line.startswith(f"{path}:2: title: is missing") for line in lines)
    assert len(lines) == len(expected) + 1
    numbers = [int(line.split(":")[1]) for line in lines]
    assert numbers == sorted(numbers)


def test_a_selector_option_without_a_type_and_a_question_without_options_are_reported_at_their_lines():
    path = fixture("selector_errors")
    assert [line.split(": ")[0] for line in problems(path)] == [
        f"{path}:{marked(path, 'no points_to')}",
        f"{path}:{marked(path, 'unknown points_to')}",
        f"{path}:{marked(path, 'no options and no scale')}",
    ]


def test_a_missing_file_cannot_be_read():
    with pytest.raises(UnreadableTemplate) as failed:
        load_template(FIXTURES / "checklist_not_there.yaml")
    assert failed.value.lines == [f"{FIXTURES / 'checklist_not_there.yaml'}: there is no such file"]


def test_every_fixture_is_broken_yaml_or_a_broken_template():
    for path in FIXTURES.glob("checklist_*.yaml"):
        with pytest.raises(TemplateFileError):
            load_template(path)
        if path.name != "checklist_broken_syntax.yaml":
            yaml.safe_load(path.read_text())
