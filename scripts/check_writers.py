#!/usr/bin/env python3
"""One writer per table: fail when a module of one app writes another app's models.

Static (AST) half of the check (the other half is the run-time guard in
tests/conftest.py). An app is the package under ``src/wowdesk`` (``channels/email`` is
part of ``channels``); a top-level module (``setup.py``, ``cli.py``) owns no table. In a
module of app X it flags, for a model class imported from ``wowdesk.Y.models`` (Y ≠ X):

* ``Model.objects.<write>(...)`` and any queryset chain rooted at ``Model.objects`` that
  ends in a write (``update``, ``delete``, ``bulk_create``, ...), also through a local
  variable holding such a queryset;
* ``fastsql.insert(Model, ...)`` / ``fastsql.update(Model, ...)``;
* ``obj.save()`` / ``obj.delete()`` where ``obj`` is known to be a ``Model``: a parameter
  annotated with it, or a local assigned from ``Model(...)`` or a fetch of it.

Usage: ``python scripts/check_writers.py [src/wowdesk]``; exit 1 lists the violations.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path

MANAGER_WRITES = frozenset(
    {
        "create",
        "update",
        "delete",
        "bulk_create",
        "bulk_update",
        "get_or_create",
        "update_or_create",
    }
)
INSTANCE_FETCHES = frozenset(
    {"get", "first", "last", "create", "get_or_create", "update_or_create", "earliest", "latest"}
)
INSTANCE_WRITES = frozenset({"save", "delete"})
FASTSQL_WRITES = frozenset({"insert", "update"})

# Modules allowed to write other apps' tables, each with its reason.
ALLOWED: dict[str, str] = {
    # The demo seeder builds a whole help desk in one go, straight into the tables (it is
    # not a path any user input takes); everything it writes is owned by one app or another.
    "demo/": "demo seeder",
    # Generic helpers that write on behalf of the owning app's service, which calls them
    # with its own instance (save_fields/delete_row) or inserts/updates its own rows.
    "core/fastsql.py": "generic SQL helpers, called by the owning service",
}


@dataclass
class Violation:
    path: str
    line: int
    model: str
    owner: str
    what: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: writes {self.owner}.{self.model} ({self.what}); "
            f"go through {self.owner}'s services"
        )


def app_of(relative: Path) -> str:
    """``channels/email/services.py`` → ``channels``; ``setup.py`` → ``""`` (no app)."""
    return relative.parts[0] if len(relative.parts) > 1 else ""


def model_owners(root: Path) -> dict[str, str]:
    """Model class name → owning app, from every ``models.py`` of the package."""
    owners: dict[str, str] = {}
    for path in root.rglob("models.py"):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and any(
                "Model" in ast.unparse(base) for base in node.bases
            ):
                owners[node.name] = app_of(path.relative_to(root))
    return owners


def _dotted(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # pragma: no cover - unparse handles every expression
        return ""


@dataclass
class ModuleChecker:
    path: str
    app: str
    owners: dict[str, str]
    names: dict[str, str] = field(default_factory=dict)  # local name → model class
    violations: list[Violation] = field(default_factory=list)

    def foreign(self, local: str) -> str | None:
        """The model class a local name stands for, if another app owns it."""
        model = self.names.get(local)
        if model is None:
            return None
        owner = self.owners.get(model)
        if owner is None or owner == self.app:
            return None
        return model

    def flag(self, node: ast.AST, model: str, what: str) -> None:
        self.violations.append(
            Violation(self.path, getattr(node, "lineno", 0), model, self.owners[model], what)
        )

    def collect_imports(self, tree: ast.AST) -> None:
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("wowdesk.")
                and node.module.endswith(".models")
            ):
                for alias in node.names:
                    if alias.name in self.owners:
                        self.names[alias.asname or alias.name] = alias.name

    def manager_root(self, node: ast.AST) -> str | None:
        """The foreign model at the root of ``Model.objects.a(...).b(...)``."""
        while True:
            if isinstance(node, ast.Call):
                node = node.func
            elif isinstance(node, ast.Attribute):
                if node.attr in ("objects", "_default_manager") and isinstance(
                    node.value, ast.Name
                ):
                    return self.foreign(node.value.id)
                node = node.value
            else:
                return None

    def check_function(self, fn: ast.AST) -> None:
        instances: dict[str, str] = {}
        querysets: dict[str, str] = {}
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for arg in [*fn.args.args, *fn.args.kwonlyargs, *fn.args.posonlyargs]:
                if arg.annotation is None:
                    continue
                text = _dotted(arg.annotation).replace('"', "").replace("'", "")
                for part in text.replace("|", " ").split():
                    model = self.foreign(part)
                    if model:
                        instances[arg.arg] = model
        body = fn.body if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) else []
        nodes = [n for stmt in body for n in ast.walk(stmt)]
        for node in nodes:
            if isinstance(node, ast.Assign | ast.AnnAssign):
                self._learn(node, instances, querysets)
            elif isinstance(node, ast.For) and isinstance(node.target, ast.Name):
                model = self.manager_root(node.iter)
                if model is None and isinstance(node.iter, ast.Name):
                    model = querysets.get(node.iter.id)
                if model:
                    instances[node.target.id] = model
        for node in nodes:
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            method, receiver = node.func.attr, node.func.value
            if method in MANAGER_WRITES:
                model = self.manager_root(receiver)
                if model is None and isinstance(receiver, ast.Name):
                    model = querysets.get(receiver.id)
                if model:
                    self.flag(node, model, f"{method}() on its queryset")
                    continue
            if method in INSTANCE_WRITES and isinstance(receiver, ast.Name):
                model = instances.get(receiver.id)
                if model:
                    self.flag(node, model, f"{receiver.id}.{method}()")
                    continue
            if (
                method in FASTSQL_WRITES
                and isinstance(receiver, ast.Name)
                and receiver.id == "fastsql"
                and node.args
                and isinstance(node.args[0], ast.Name)
            ):
                model = self.foreign(node.args[0].id)
                if model:
                    self.flag(node, model, f"fastsql.{method}()")

    def _learn(
        self,
        node: ast.Assign | ast.AnnAssign,
        instances: dict[str, str],
        querysets: dict[str, str],
    ) -> None:
        value = node.value
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if value is None:
            return
        model: str | None = None
        instance = False
        if (
            isinstance(value, ast.Call)
            and isinstance(value.func, ast.Name)
            and self.foreign(value.func.id)
        ):
            model, instance = self.foreign(value.func.id), True
        else:
            model = self.manager_root(value)
            if model is not None:
                last = (
                    value.func.attr
                    if isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)
                    else ""
                )
                instance = last in INSTANCE_FETCHES
        if model is None:
            return
        for target in targets:
            if isinstance(target, ast.Tuple) and target.elts:
                target = target.elts[0]
            if isinstance(target, ast.Name):
                (instances if instance else querysets)[target.id] = model

    def run(self, tree: ast.Module) -> None:
        self.collect_imports(tree)
        if not self.names:
            return
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.check_function(node)
        # module-level statements (rare)
        module_fn = ast.FunctionDef(
            name="<module>",
            args=ast.arguments(posonlyargs=[], args=[], kwonlyargs=[], kw_defaults=[], defaults=[]),
            body=[s for s in tree.body if not isinstance(s, (ast.FunctionDef, ast.ClassDef))],
            decorator_list=[],
            type_params=[],
        )
        self.check_function(module_fn)


def check(root: Path) -> list[Violation]:
    owners = model_owners(root)
    found: list[Violation] = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if "migrations" in relative.parts:
            continue
        if any(str(relative).startswith(prefix) for prefix in ALLOWED):
            continue
        checker = ModuleChecker(f"{root.name}/{relative}", app_of(relative), owners)
        checker.run(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        found.extend(checker.violations)
    return found


def main(argv: list[str]) -> int:
    root = Path(argv[1] if len(argv) > 1 else Path(__file__).parent.parent / "src" / "wowdesk")
    violations = check(root)
    for violation in violations:
        print(violation)
    if violations:
        print(f"{len(violations)} write(s) to another app's tables", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
