"""Fences around the fast paths: a change to them must be deliberate.

* ``core/fastsql.py`` (prepared statements that skip the ORM) is imported only by the
  modules listed here, each for a reason; a table is written either through it or through
  the ORM by its owning service, not both ways from elsewhere. Found by reading the source
  (AST), so a new import anywhere fails this test until it is listed.
* ``settings.MIDDLEWARE`` is pinned: the inbound fast path (channels/fastpath.py) runs
  this same chain once per kind of request (``django_edge``), and
  tests/channels/test_fastpath_parity.py proves the answers match; a new middleware is
  added here with a look at what it does to that endpoint.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

SRC = Path(__file__).resolve().parents[2] / "src" / "wowdesk"
FASTSQL = "wowdesk.core.fastsql"

# module (relative to src/wowdesk) -> why it may use the prepared statements
FASTSQL_USERS: dict[str, str] = {
    "core/fastsql.py": "the module itself",
    "channels/ingest.py": "the inbound envelope's insert and status update, per item",
    "conversations/services.py": (
        "the ingest hot path: the inbox and open-conversation look-ups, the conversation "
        "and message inserts and the conversation's counters"
    ),
    "customers/services.py": "the ingest hot path: the sender's identity look-up and inserts",
    "core/services.py": "the API token look-up of every inbound request (agent_for_token)",
}


ROOT = SRC.parents[1]
SCANNED = (SRC, ROOT / "bench", ROOT / "scripts")


def module_name(path: Path) -> str:
    """``wowdesk.channels.ingest`` for src/wowdesk/channels/ingest.py, ``bench.read`` …"""
    base = SRC.parent if path.is_relative_to(SRC) else ROOT
    parts = list(path.relative_to(base).with_suffix("").parts)
    return ".".join(parts)


def imports_fastsql(source: str, module: str) -> bool:
    """Whether ``source`` (the module ``module``) imports ``wowdesk.core.fastsql`` in any
    spelling: ``import wowdesk.core.fastsql``, ``from wowdesk.core import fastsql``,
    ``from wowdesk.core.fastsql import x``, relative forms, at any depth (in a function)."""
    package = module.rsplit(".", 1)[0] if not module.endswith("__init__") else module
    package = package.removesuffix(".__init__")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            if any(a.name == FASTSQL or a.name.startswith(FASTSQL + ".") for a in node.names):
                return True
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            if base == FASTSQL or base.startswith(FASTSQL + "."):
                return True
            if any(f"{base}.{a.name}" == FASTSQL for a in node.names):
                return True
    return False


def test_only_listed_modules_import_fastsql() -> None:
    found = {"core/fastsql.py"}
    for top in SCANNED:
        for path in sorted(top.rglob("*.py")):
            if imports_fastsql(path.read_text(encoding="utf-8"), module_name(path)):
                found.add(str(path.relative_to(SRC)) if path.is_relative_to(SRC) else str(path))
    assert found == set(FASTSQL_USERS), (
        "core/fastsql.py is for the ingest hot path only: list a new user in "
        "FASTSQL_USERS with the reason, or write through the ORM"
    )


def test_the_import_finder_sees_every_spelling() -> None:
    """The detector itself, on every way of writing the import (and near misses)."""
    spellings = {
        "import wowdesk.core.fastsql\n": True,
        "import wowdesk.core.fastsql as f\n": True,
        "from wowdesk.core import fastsql\n": True,
        "from wowdesk.core import audit, fastsql as fs\n": True,
        "from wowdesk.core.fastsql import insert\n": True,
        "def f():\n    from wowdesk.core import fastsql\n": True,
        "if True:\n    import wowdesk.core.fastsql\n": True,
        "from ..core import fastsql\n": True,
        "from ..core.fastsql import select\n": True,
        "from wowdesk.core import audit\n": False,
        "import wowdesk.core.fastsqlx\n": False,
        "from . import fastsql\n": False,  # wowdesk.channels.fastsql, another module
        "x = 'from wowdesk.core import fastsql'\n": False,
    }
    for text, expected in spellings.items():
        assert imports_fastsql(text, "wowdesk.channels.probe") is expected, text
    assert imports_fastsql("from . import fastsql\n", "wowdesk.core.probe")
    assert imports_fastsql("from .fastsql import rows\n", "wowdesk.core.__init__")
    assert module_name(SRC / "channels" / "ingest.py") == "wowdesk.channels.ingest"


def test_middleware_is_pinned() -> None:
    assert settings.MIDDLEWARE == [
        "django.middleware.security.SecurityMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.locale.LocaleMiddleware",
        "django.middleware.common.CommonMiddleware",
        "wowdesk.core.middleware.RejectNulMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "django.middleware.clickjacking.XFrameOptionsMiddleware",
        "wowdesk.web.middleware.ContentSecurityPolicyMiddleware",
    ]
