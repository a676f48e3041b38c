"""scripts/check_writers.py: the static half of "one writer per table" (make lint). It
passes on the house and catches each kind of write to another app's table."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "check_writers", ROOT / "scripts/check_writers.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


MODELS = {
    "alpha/models.py": """
        from django.db import models
        class Thing(models.Model):
            pass
        class Kind(models.TextChoices):
            A = "a"
    """,
    "beta/models.py": """
        from django.db import models
        class Other(models.Model):
            pass
    """,
}


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "wowdesk"
    for name, text in {**MODELS, **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def test_the_house_has_one_writer_per_table() -> None:
    assert [str(v) for v in _checker().check(ROOT / "src" / "wowdesk")] == []


@pytest.mark.parametrize(
    "body",
    [
        "Thing.objects.create(name='x')",
        "Thing.objects.filter(pk=1).update(name='x')",
        "Thing.objects.filter(pk=1).exclude(pk=2).delete()",
        "Thing.objects.bulk_create([])",
        "Thing.objects.get_or_create(pk=1)",
        "T.objects.update_or_create(pk=1)",
        "rows = Thing.objects.filter(pk=1)\n    rows.update(name='y')",
        "thing = Thing.objects.get(pk=1)\n    thing.save()",
        "thing, _ = Thing.objects.get_or_create(pk=1)\n    thing.delete()",
        "thing = Thing(name='x')\n    thing.save()",
        "for thing in Thing.objects.all():\n        thing.save()",
        "fastsql.insert(Thing, name='x')",
        "fastsql.update(Thing, 1, name='x')",
        "given.save(update_fields=['name'])",
        "maybe.delete()",
    ],
)
def test_writes_to_another_apps_table_are_caught(tmp_path: Path, body: str) -> None:
    root = _tree(
        tmp_path,
        {
            "beta/services.py": (
                "from wowdesk.core import fastsql\n"
                "from wowdesk.alpha.models import Thing\n"
                "from wowdesk.alpha.models import Thing as T\n\n"
                'def act(given: Thing, maybe: "Thing | None") -> None:\n'
                f"    {body}\n"
            )
        },
    )
    found = _checker().check(root)
    assert found, body
    # the write's own line is flagged (get_or_create then delete: both are writes)
    last = len(body.splitlines()) + 5
    assert last in {v.line for v in found}
    assert {(v.model, v.owner, v.path) for v in found} == {
        ("Thing", "alpha", "wowdesk/beta/services.py")
    }


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("alpha/services.py", "Thing.objects.create(name='x')"),  # the owner
        ("beta/services.py", "Other.objects.filter(pk=1).update(x=1)"),  # its own table
        ("beta/views.py", "Thing.objects.filter(pk=1).count()"),  # a read
        ("beta/reads.py", "thing = Thing.objects.get(pk=1)\n    print(thing.name)"),
        ("demo/seed.py", "Thing.objects.create(name='x')"),  # allowed: the demo seeder
    ],
)
def test_owners_reads_and_allowed_modules_pass(tmp_path: Path, path: str, body: str) -> None:
    root = _tree(
        tmp_path,
        {
            path: (
                "from wowdesk.alpha.models import Thing\n"
                "from wowdesk.beta.models import Other\n\n"
                "def act() -> None:\n"
                f"    {body}\n"
            )
        },
    )
    assert _checker().check(root) == []


def test_a_top_level_module_owns_no_table(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "setup.py": """
                from wowdesk.alpha.models import Thing

                def ensure() -> None:
                    Thing.objects.create(name="x")
            """
        },
    )
    assert [v.path for v in _checker().check(root)] == ["wowdesk/setup.py"]
    assert _checker().main(["check_writers", str(root)]) == 1
