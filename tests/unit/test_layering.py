"""The module map's arrows, read from every module's imports (function-level ones too): each layer depends inward."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Pure functions over dates with no I/O: recurrence rules and the bank holiday tables (bot/domain/schedule.py).
CALENDAR_LIBRARIES = {"dateutil", "holidays"}
ROOT_MODULES = {"__init__.py", "app.py", "settings.py", "clock.py", "logs.py", "keys.py"}
EDGES = ("handlers", "bot.app", "bot.cli", "bot.web")  # the listeners, the composition root and the entry points


def _module_of(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module a file imports; `from a import b` gives `a.b`, which names b whether it is a module or not."""
    found: set[str] = set()
    package = _module_of(path) if path.name == "__init__.py" else _module_of(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                above = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*above, base] if base else above)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    found.discard("__future__.annotations")
    return found


def _within(module: str, names: tuple[str, ...] | set[str]) -> bool:
    return any(module == name or module.startswith(f"{name}.") for name in names)


def _files(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def offenders(folder: str, forbidden: tuple[str, ...], *, except_files: tuple[str, ...] = ()) -> list[str]:
    """"file: module" for each import under `folder` of something `forbidden` names."""
    found = []
    for path in _files(folder):
        where = str(path.relative_to(ROOT))
        if where in except_files:
            continue
        found.extend(f"{where}: {m}" for m in sorted(imports_of(path)) if _within(m, forbidden))
    return found


def test_the_domain_imports_only_the_standard_library_itself_and_two_calendar_libraries():
    allowed = sys.stdlib_module_names | CALENDAR_LIBRARIES
    outside = [f"{path.relative_to(ROOT)}: {m}" for path in _files("bot/domain") for m in sorted(imports_of(path))
               if m.split(".")[0] not in allowed and not _within(m, ("bot.domain",))]
    assert outside == []


def test_services_import_no_listeners_prompts_outbound_side_or_entry_points():
    assert offenders("bot/services", ("prompts", "bot.outbound", *EDGES)) == []


def test_services_import_nothing_from_storage():
    assert offenders("bot/services", ("storage",)) == []


def test_prompts_import_no_services_storage_outbound_side_or_listeners():
    assert offenders("prompts", ("bot.services", "storage", "bot.outbound", *EDGES)) == []


def test_storage_imports_no_listeners_prompts_outbound_side_or_entry_points():
    assert offenders("storage", ("prompts", "bot.outbound", *EDGES)) == []


def test_storage_takes_from_services_only_the_unit_of_work_and_the_repository_declarations():
    declarations = [f"{path.relative_to(ROOT)}: {m}" for path in _files("storage") for m in sorted(imports_of(path))
                    if _within(m, ("bot.services",)) and not _within(m, ("bot.services.uow",))
                    and not m.startswith("bot.services.repositories")]
    assert declarations == []


def test_the_outbound_side_imports_no_listeners_or_entry_points():
    assert offenders("bot/outbound", EDGES) == []


def test_nothing_under_bot_imports_the_listeners_but_the_composition_root():
    assert offenders("bot", ("handlers",), except_files=("bot/app.py",)) == []


def test_the_bot_root_holds_only_the_composition_root_and_shared_basics():
    assert {path.name for path in (ROOT / "bot").glob("*.py")} <= ROOT_MODULES


def test_the_shared_basics_in_the_bot_root_climb_into_no_package():
    climbing = ("bot.services", "bot.outbound", "prompts", *EDGES)
    found = [f"bot/{name}: {m}" for name in sorted(ROOT_MODULES - {"app.py"})
             for m in sorted(imports_of(ROOT / "bot" / name)) if _within(m, climbing)]
    assert found == []


def test_the_import_reader_sees_imports_inside_functions_and_relative_ones(tmp_path, monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    module = tmp_path / "bot" / "web" / "gate.py"
    module.parent.mkdir(parents=True)
    module.write_text("from . import server\n\ndef f():\n    import handlers.deps\n    from ..cli import main\n")
    assert imports_of(module) == {"bot.web.server", "handlers.deps", "bot.cli.main"}
