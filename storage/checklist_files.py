"""Checklist templates as YAML: files read and checked, every problem as FILE:LINE: message; the shipped ones."""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.domain.checklists import Template
from bot.domain.template_rules import InvalidTemplate, TemplateError, parse_template

SHIPPED = ("board_diagnostic.yaml", "collaboration_type.yaml", "governance_enablers.yaml", "pulse_check.yaml")
_SEGMENT = re.compile(r"\[(\d+)\]|([^.\[\]]+)")
_MERGE = "tag:yaml.org,2002:merge"


class TemplateFileError(Exception):
    """A template file cannot be used; `lines` says why, each line "FILE:LINE: message"."""

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = list(lines)


class UnreadableTemplate(TemplateFileError):
    """The file could not be read at all (missing, a folder, not UTF-8): one line, with no line number."""


def load_template(path: str | Path) -> Template:
    """The template in a YAML file; TemplateFileError listing every problem, each with its line, when it has any."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise UnreadableTemplate([f"{path}: there is no such file"]) from None
    except IsADirectoryError:
        raise UnreadableTemplate([f"{path}: is a folder, not a file"]) from None
    except OSError as exc:
        raise UnreadableTemplate([f"{path}: cannot be read: {exc.strerror}"]) from None
    except UnicodeDecodeError as exc:
        raise UnreadableTemplate([f"{path}: is not UTF-8 text (byte {exc.start + 1}); save it as UTF-8"]) from None
    return template_from_text(text, name=str(path))


def read_template(path: str | Path) -> tuple[Template, str]:
    """The template in a YAML file, checked as `load_template` does, and the file's text to keep."""
    template = load_template(path)
    return template, Path(path).read_text("utf-8")


def parsed(source: str) -> Template:
    """A template from YAML a board loaded (it was checked then, so it is parsed without line numbers)."""
    return parse_template(yaml.safe_load(source))


def template_from_text(text: str, *, name: str) -> Template:
    """The template in YAML text; TemplateFileError with lines "NAME:LINE: message" when it has problems."""
    try:
        root, data = _composed(text)
    except yaml.MarkedYAMLError as exc:
        raise TemplateFileError([_syntax_line(exc, name)]) from None
    except yaml.YAMLError as exc:  # a character YAML refuses: it names a position, not a line
        position = getattr(exc, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else 1
        raise TemplateFileError([f"{name}:{line}: this is not valid YAML: {str(exc).splitlines()[0]}"]) from None
    problems = [(line, f"{name}:{line}: {message}") for line, message in _duplicate_keys(root)]
    try:
        template = parse_template(data)
    except InvalidTemplate as exc:
        for error in exc.errors:
            line = _line_of(root, error)
            problems.append((line, f"{name}:{line}: {error}"))
    if problems:
        raise TemplateFileError([line for _, line in sorted(problems, key=lambda p: p[0])])
    return template


def _composed(text: str) -> tuple[Node | None, object]:
    """The document's node tree, which keeps each value's line, and the plain data built from it."""
    loader = yaml.SafeLoader(text)
    try:
        root = loader.get_single_node()
        return root, (loader.construct_document(root) if root is not None else None)
    finally:
        loader.dispose()


def _syntax_line(exc: yaml.MarkedYAMLError, name: str) -> str:
    """One line for a YAML syntax error, at the line where the parser gave up."""
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "cannot be read"
    hint = ""
    if "end of stream" in problem and exc.context and exc.context_mark is not None:
        mark, hint = exc.context_mark, f" {exc.context}: the file ends before it is finished (an unclosed quote?)"
    elif "\\t" in problem or "tab" in problem:
        hint = " (indent with spaces, not tabs)"
    elif exc.context and exc.context_mark is not None and mark is not None and exc.context_mark.line != mark.line:
        hint = f" ({exc.context} on line {exc.context_mark.line + 1})"
    line = mark.line + 1 if mark is not None else 1
    return f"{name}:{line}: this is not valid YAML: {problem}{hint}"


def _duplicate_keys(node: Node | None) -> list[tuple[int, str]]:
    """Keys written twice in one mapping (YAML would quietly keep the last), with their lines."""
    found: list[tuple[int, str]] = []
    stack = [node] if node is not None else []
    seen_nodes: set[int] = set()
    while stack:
        current = stack.pop()
        if id(current) in seen_nodes:  # an alias refers back to a node already walked
            continue
        seen_nodes.add(id(current))
        if isinstance(current, MappingNode):
            first: dict[str, int] = {}
            for key, value in current.value:
                if isinstance(key, ScalarNode) and key.tag != _MERGE:
                    line = key.start_mark.line + 1
                    if key.value in first:
                        found.append((line, f"“{key.value}” is written twice here (first on line "
                                            f"{first[key.value]}); give it once"))
                    else:
                        first[key.value] = line
                stack.append(value)
        elif isinstance(current, SequenceNode):
            stack.extend(current.value)
    return found


def _line_of(root: Node | None, error: TemplateError) -> int:
    """The line of the node an error's path names, or of the nearest node above it that the file has."""
    if root is None:
        return 1
    node, line = root, root.start_mark.line
    for index, key in _SEGMENT.findall(error.path):
        if index and isinstance(node, SequenceNode) and int(index) < len(node.value):
            node = node.value[int(index)]
            line = node.start_mark.line
        elif key and isinstance(node, MappingNode):
            pair = next(((k, v) for k, v in reversed(node.value) if isinstance(k, ScalarNode) and k.value == key),
                        None)
            if pair is None:
                break
            node, line = pair[1], pair[0].start_mark.line
        else:
            break
    return line + 1


def shipped_paths() -> tuple[Path, ...]:
    """The template files that ship with collab-bot, in prompts/checklists."""
    folder = Path(str(files("prompts").joinpath("checklists")))
    return tuple(folder / name for name in SHIPPED)


@cache
def _shipped() -> tuple[tuple[str, Template], ...]:
    return tuple((t.id, t) for t in map(load_template, shipped_paths()))


def shipped_templates() -> dict[str, Template]:
    """The shipped templates by id, read once per process."""
    return dict(_shipped())
