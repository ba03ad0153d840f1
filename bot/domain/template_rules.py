"""The checks a checklist template must pass to be used: every problem found, each with its path in the file."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

from bot.domain.checklists import (
    AREA_KEYS,
    DEFAULT_AMBER,
    DEFAULT_GREEN,
    DEFAULT_MIN_RESPONDENTS,
    EVIDENCE_TEXT_LIMIT,
    HELP_LIMIT,
    ID,
    ID_LIMIT,
    KINDS,
    LABEL_LIMIT,
    LEAST_MIN_RESPONDENTS,
    MAX_OPTIONS,
    OPTION_KEYS,
    OPTION_OPTIONAL,
    QUESTION_KEYS,
    QUESTION_OPTIONAL,
    REASON_LIMIT,
    TEMPLATE_KEYS,
    TEMPLATE_OPTIONAL,
    TEXT_LIMIT,
    TITLE_LIMIT,
    TYPES,
    UNATTRIBUTED_QUESTION_LIMIT,
    VALUE,
    VALUE_LIMIT,
    Area,
    Option,
    Question,
    Template,
    Thresholds,
)
from bot.domain.text import clean


@dataclass(frozen=True)
class TemplateError:
    """One problem in a template: where (a path such as areas[2].questions[3].text) and what is wrong."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class InvalidTemplate(ValueError):
    """A template cannot be used; `errors` lists every problem found, not just the first."""

    def __init__(self, errors: list[TemplateError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = list(errors)


def parse_template(data: object) -> Template:
    """A Template from parsed YAML or JSON; InvalidTemplate listing every problem when it isn't one."""
    check = _Check()
    template = check.template(data)
    if check.errors or template is None:
        raise InvalidTemplate(check.errors or [TemplateError("", "not a template")])
    return template


def _described(value: object) -> str:
    """What a wrong value is, in words: "a number", "a list"."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return f"{str(value).lower()} (YAML reads an unquoted yes, no, on or off as true or false)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping of keys"
    if isinstance(value, date):
        return "a date"
    return type(value).__name__


def _join(path: str, key: object) -> str:
    return f"{path}.{key}" if path else str(key)


def _choices(words: tuple[str, ...]) -> str:
    return ", ".join(words[:-1]) + " or " + words[-1] if len(words) > 1 else words[0]


class _Check:
    """Collects every problem while building a template, so all of them are reported at once."""

    def __init__(self) -> None:
        self.errors: list[TemplateError] = []
        self.kind: str | None = None
        self.question_ids: dict[str, str] = {}

    def fail(self, path: str, message: str) -> None:
        self.errors.append(TemplateError(path, message))

    def keys(self, value: object, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> dict | None:
        """The mapping, after reporting missing and unknown keys; None (reported) when it isn't a mapping."""
        if not isinstance(value, dict):
            self.fail(path, f"should be a mapping with keys {_choices(required + optional)}, not {_described(value)}")
            return None
        for key in required:
            if key not in value:
                self.fail(_join(path, key), "is missing")
        for key in value:
            if key not in required and key not in optional:
                self.fail(_join(path, key), f"is not a key used here; use {_choices(required + optional)}")
        return value

    def text(self, value: object, path: str, limit: int, *, multiline: bool = False, empty_ok: bool = False) -> str:
        if not isinstance(value, str):
            if value is None and empty_ok:
                return ""
            self.fail(path, f"should be text, not {_described(value)}")
            return ""
        text = clean(value, multiline=multiline)
        if not text and not empty_ok:
            self.fail(path, "is empty")
        elif len(text) > limit:
            self.fail(path, f"is {len(text)} characters long; the most allowed is {limit}")
        return text

    def ident(self, value: object, path: str, *, pattern: re.Pattern = ID, limit: int = ID_LIMIT) -> str:
        allowed = "lowercase letters, digits and hyphens" if pattern is ID else (
            "lowercase letters, digits, hyphens and underscores")
        if isinstance(value, int) and not isinstance(value, bool):
            self.fail(path, f"should be text: write \"{value}\" in quotes")
            return ""
        if not isinstance(value, str):
            self.fail(path, f"should be text, not {_described(value)}")
            return ""
        if not pattern.fullmatch(value):
            self.fail(path, f"“{value}” should be {allowed} only, starting and ending with a letter or digit")
        elif len(value) > limit:
            self.fail(path, f"is {len(value)} characters long; the most allowed is {limit}")
        return value

    def flag(self, value: object, path: str) -> bool:
        if not isinstance(value, bool):
            self.fail(path, f"should be true or false, not {_shown(value)}")
            return False
        return value

    def template(self, data: object) -> Template | None:
        top = self.keys(data, "", TEMPLATE_KEYS, TEMPLATE_OPTIONAL)
        if top is None:
            return None
        template_id = self.ident(top["id"], "id") if "id" in top else ""
        title = self.text(top["title"], "title", TITLE_LIMIT) if "title" in top else ""
        version = self.version(top["version"]) if "version" in top else 0
        if "kind" in top:
            if top["kind"] in KINDS:
                self.kind = top["kind"]
            else:
                self.fail("kind", f"should be {_choices(KINDS)}, not {_shown(top['kind'])}")
        attributed = self.flag(top["attributed"], "attributed") if "attributed" in top else True
        if self.kind == "pulse" and attributed:
            self.fail("attributed", "should be false: a pulse check never shows who gave which answer")
        scale: tuple[Option, ...] | None = ()
        if "scale" in top:
            scale = self.options(top["scale"], "scale")
        thresholds = self.thresholds(top["thresholds"]) if "thresholds" in top else Thresholds(
            DEFAULT_GREEN, DEFAULT_AMBER)
        areas = self.areas(top["areas"], scale) if "areas" in top else ()
        least = self.least(top, attributed)
        asked = sum(len(area.questions) for area in areas)
        if not attributed and asked > UNATTRIBUTED_QUESTION_LIMIT:
            self.fail("areas", f"has {asked} questions; an unattributed checklist is answered in one form, which "
                      f"holds at most {UNATTRIBUTED_QUESTION_LIMIT}")
        if self.errors:
            return None
        return Template(template_id, title, version, self.kind or "", attributed, scale or (), thresholds, areas,
                        least)

    def least(self, top: dict, attributed: bool) -> int:
        """How many must answer an unattributed round before its report is shown."""
        if "min_respondents" not in top:
            return DEFAULT_MIN_RESPONDENTS
        value = top["min_respondents"]
        if attributed:
            self.fail("min_respondents", "is only used when attributed is false: an attributed checklist's "
                      "report is shown whoever has answered")
        elif isinstance(value, bool) or not isinstance(value, int) or value < LEAST_MIN_RESPONDENTS:
            self.fail("min_respondents", f"should be a whole number from {LEAST_MIN_RESPONDENTS} up (with fewer, "
                      f"people could tell each other's answers from the report), not {_shown(value)}")
            return DEFAULT_MIN_RESPONDENTS
        return value

    def version(self, value: object) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            self.fail("version", f"should be a whole number from 1 up, not {_shown(value)}")
            return 0
        return value

    def thresholds(self, value: object) -> Thresholds:
        found = self.keys(value, "thresholds", ("green", "amber"))
        if found is None:
            return Thresholds(DEFAULT_GREEN, DEFAULT_AMBER)
        shares: dict[str, float] = {}
        for name in ("green", "amber"):
            share = found.get(name)
            if name not in found:
                continue
            if isinstance(share, bool) or not isinstance(share, int | float) or not math.isfinite(share):
                self.fail(f"thresholds.{name}", f"should be a number between 0 and 1, not {_shown(share)}")
            else:
                shares[name] = float(share)
        green, amber = shares.get("green"), shares.get("amber")
        if green is not None and not 0 < green <= 1:
            self.fail("thresholds.green", f"should be a share of the maximum, above 0 and at most 1, not {green}")
        if amber is not None and not 0 < amber < 1:
            self.fail("thresholds.amber", f"should be a share of the maximum, above 0 and below 1, not {amber}")
        if green is not None and amber is not None and amber >= green:
            self.fail("thresholds.amber", f"should be below green ({amber} is not below {green})")
        return Thresholds(green if green is not None else DEFAULT_GREEN, amber if amber is not None else DEFAULT_AMBER)

    def options(self, value: object, path: str) -> tuple[Option, ...] | None:
        """The options, or None when the list is unusable (each problem reported)."""
        if not isinstance(value, list) or len(value) < 2:
            what = f"{len(value)} option" if isinstance(value, list) else _described(value)
            self.fail(path, f"should be a list of at least 2 answer options, not {what}")
            return None
        if len(value) > MAX_OPTIONS:
            self.fail(path, f"has {len(value)} options; the most Slack can offer is {MAX_OPTIONS}")
        found: list[Option] = []
        values: dict[str, int] = {}
        labels: dict[str, int] = {}
        before = len(self.errors)
        for index, item in enumerate(value):
            option = self.option(item, f"{path}[{index}]")
            if option is None:
                continue
            for seen, key, what in ((values, option.value, "value"), (labels, option.label.casefold(), "label")):
                if key and key in seen:
                    self.fail(f"{path}[{index}].{what}", f"“{getattr(option, what)}” is also the {what} of "
                              f"{path}[{seen[key]}]; each option needs its own")
                elif key:
                    seen[key] = index
            found.append(option)
        return tuple(found) if len(self.errors) == before else None

    def option(self, item: object, path: str) -> Option | None:
        found = self.keys(item, path, OPTION_KEYS, OPTION_OPTIONAL)
        if found is None:
            return None
        value = self.ident(found["value"], f"{path}.value", pattern=VALUE, limit=VALUE_LIMIT) if (
            "value" in found) else ""
        label = self.text(found["label"], f"{path}.label", LABEL_LIMIT) if "label" in found else ""
        score = found.get("score")
        if isinstance(score, bool) or not (score is None or isinstance(score, int)):
            self.fail(f"{path}.score", f"should be a whole number, or null for an answer that isn't scored, not "
                      f"{_shown(score)}")
            score = None
        points_to = found.get("points_to")
        if "points_to" in found:
            if points_to not in TYPES:
                self.fail(f"{path}.points_to", f"should be {_choices(TYPES)}, not {_shown(points_to)}")
                points_to = None
            elif self.kind is not None and self.kind != "selector":
                self.fail(f"{path}.points_to", "is only used in a selector; this template's kind is " + self.kind)
        elif self.kind == "selector":
            self.fail(f"{path}.points_to", f"is missing: every option of a selector points to {_choices(TYPES)}")
        reason = self.text(found["reason"], f"{path}.reason", REASON_LIMIT) if "reason" in found else ""
        return Option(value, label, score, points_to, reason)

    def areas(self, value: object, scale: tuple[Option, ...] | None) -> tuple[Area, ...]:
        if not isinstance(value, list) or not value:
            self.fail("areas", f"should be a list of at least one area, not {_described(value)}"
                      if not isinstance(value, list) else "has no areas; add at least one")
            return ()
        found: list[Area] = []
        ids: dict[str, int] = {}
        for index, item in enumerate(value):
            path = f"areas[{index}]"
            area = self.keys(item, path, AREA_KEYS)
            if area is None:
                continue
            area_id = self.ident(area["id"], f"{path}.id") if "id" in area else ""
            if area_id in ids:
                self.fail(f"{path}.id", f"“{area_id}” is also the id of areas[{ids[area_id]}]; each area needs its "
                          "own")
            elif area_id:
                ids[area_id] = index
            title = self.text(area["title"], f"{path}.title", TITLE_LIMIT) if "title" in area else ""
            questions = self.questions(area["questions"], f"{path}.questions", scale) if "questions" in area else ()
            found.append(Area(area_id, title, questions))
        return tuple(found)

    def questions(self, value: object, path: str, scale: tuple[Option, ...] | None) -> tuple[Question, ...]:
        if not isinstance(value, list) or not value:
            self.fail(path, f"should be a list of at least one question, not {_described(value)}"
                      if not isinstance(value, list) else "is empty; an area needs at least one question")
            return ()
        return tuple(q for index, item in enumerate(value) if (q := self.question(item, f"{path}[{index}]", scale)))

    def question(self, item: object, path: str, scale: tuple[Option, ...] | None) -> Question | None:
        found = self.keys(item, path, QUESTION_KEYS, QUESTION_OPTIONAL)
        if found is None:
            return None
        question_id = self.ident(found["id"], f"{path}.id") if "id" in found else ""
        if question_id in self.question_ids:
            self.fail(f"{path}.id", f"“{question_id}” is also the id of {self.question_ids[question_id]}; each "
                      "question needs its own")
        elif question_id:
            self.question_ids[question_id] = path
        text = self.text(found["text"], f"{path}.text", TEXT_LIMIT) if "text" in found else ""
        help_text = self.text(found.get("help"), f"{path}.help", HELP_LIMIT, multiline=True, empty_ok=True)
        evidence = self.text(found.get("evidence"), f"{path}.evidence", EVIDENCE_TEXT_LIMIT, multiline=True,
                             empty_ok=True)
        critical = self.flag(found["critical"], f"{path}.critical") if "critical" in found else False
        if "options" in found:
            options = self.options(found["options"], f"{path}.options")
        elif scale == ():
            self.fail(f"{path}.options", "is missing: the template has no scale, so each question needs its own "
                      "options")
            options = None
        else:
            options = scale
        if critical and options is not None and all(o.score is None for o in options):
            self.fail(f"{path}.critical", "needs scored options: a critical question turns its area red when "
                      "answered with its lowest score")
        return Question(question_id, text, help_text, evidence, critical, options or ())


def _shown(value: object) -> str:
    """A wrong value as the message quotes it."""
    return f"“{value}”" if isinstance(value, str) else _described(value)
