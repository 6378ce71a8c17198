"""What the import contracts cannot say: who writes the ledger, and what the core may touch."""

import ast
import sys
from pathlib import Path

from consent.core import chain

PACKAGE = Path(__file__).resolve().parent.parent / "consent"
LEDGER_ROWS = {"Event", "State", "Receipt"}


def _modules(folder: Path):
    for path in sorted(folder.rglob("*.py")):
        yield path, ast.parse(path.read_text(), filename=str(path))


def _names_written(tree) -> set[str]:
    """Ledger row classes (imported from the models) this module constructs or hands, or
    their tables (`Event.__table__`), to insert()/update()/delete() (SQLAlchemy's, or
    Writes' and bulk's of the same names)."""
    models = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "consent.core.models"
        for alias in node.names
    }
    written = set()
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        if name in LEDGER_ROWS & models:
            written.add(name)
        if name in ("insert", "update", "delete") and node.args:
            target = node.args[0]
            if isinstance(target, ast.Attribute) and target.attr == "__table__":
                target = target.value
            if isinstance(target, ast.Name) and target.id in LEDGER_ROWS & models:
                written.add(target.id)
    return written


def test_only_the_ledger_writes_events_state_and_receipts():
    writers = {
        str(path.relative_to(PACKAGE)): written
        for path, tree in _modules(PACKAGE)
        if (written := _names_written(tree)) and path.name != "models.py"
    }
    assert writers == {"core/ledger.py": LEDGER_ROWS}


def test_the_detector_sees_a_write():
    sneaky = ast.parse(
        "from consent.core.models import Event, State\nEvent(id=1)\nsession.execute(update(State))"
    )
    assert _names_written(sneaky) == {"Event", "State"}
    assert _names_written(ast.parse("from threading import Event\nEvent()")) == set()


def test_the_core_reads_no_request_session_or_g():
    forbidden = {"request", "session", "g"}
    found = []
    for path, tree in _modules(PACKAGE / "core"):
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "flask":
                found += [(path.name, a.name) for a in node.names if a.name in forbidden]
    assert found == []


def test_rules_and_vocabulary_import_only_the_standard_library():
    allowed = {"consent.core.vocabulary", "consent.core.durations"}
    for name in ("rules.py", "durations.py", "vocabulary.py"):
        tree = ast.parse((PACKAGE / "core" / name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module]
            else:
                continue
            for module in modules:
                top = module.split(".")[0]
                assert top in sys.stdlib_module_names or module in allowed, (
                    name,
                    module,
                )


def test_every_hashed_form_keeps_the_fields_of_the_one_before():
    """A field joins the form in a new version; none ever leaves, so old events verify."""
    versions = sorted(chain.HASHED_FORMS)
    assert versions == list(range(1, chain.CURRENT_FORM + 1))
    for older, newer in zip(versions, versions[1:], strict=False):
        assert set(chain.HASHED_FORMS[older]) < set(chain.HASHED_FORMS[newer])
