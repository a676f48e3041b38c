"""The house's import rules (pyproject.toml, [tool.importlinter]) hold; the registries
that let the core import no app are filled by the apps."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.factories import quick_conversation
from wowdesk.conversations.models import Conversation
from wowdesk.core.models import Agent, Brand

ROOT = Path(__file__).resolve().parents[1]


def lint_imports(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("lint-imports")
    command = str(exe) if exe.exists() else shutil.which("lint-imports")
    if command is None:
        pytest.fail("lint-imports is missing: pip install -e '.[dev]'")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    return subprocess.run(
        [command, "--no-cache", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_import_contracts_are_kept() -> None:
    """The core imports no app; pure modules import no Django; apps import only the
    layers below them."""
    run = lint_imports()
    assert run.returncode == 0, run.stdout + run.stderr
    for name in (
        "The core imports no app",
        "Pure modules import no Django",
        "Apps in layers: each imports only the layers below it",
    ):
        assert f"{name} KEPT" in run.stdout, run.stdout
    assert "0 broken" in run.stdout


@pytest.mark.parametrize(
    ("source", "forbidden"),
    [
        ("wowdesk.routing", "wowdesk.core"),
        # only inside function bodies (clean_shifts, clean_hours): function-local imports count
        ("wowdesk.core.services", "wowdesk.core.timetables"),
        ("wowdesk.routing.shifts", "wowdesk.core.timetables"),
    ],
)
def test_a_broken_rule_is_reported(tmp_path: Path, source: str, forbidden: str) -> None:
    """The same tool on a rule the code breaks fails, naming the import."""
    (tmp_path / ".importlinter").write_text(
        "[importlinter]\n"
        "root_package = wowdesk\n"
        "exclude_type_checking_imports = True\n\n"
        "[importlinter:contract:probe]\n"
        "name = probe\n"
        "type = forbidden\n"
        f"source_modules = {source}\n"
        f"forbidden_modules = {forbidden}\n"
    )
    run = lint_imports("--config", str(tmp_path / ".importlinter"), cwd=tmp_path)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "probe BROKEN" in run.stdout
    assert f"{forbidden}" in run.stdout


def test_channel_is_the_cores_and_conversations_reexports_it() -> None:
    from wowdesk.conversations import models
    from wowdesk.core import kinds

    assert models.Channel is kinds.Channel
    assert models.Inbox._meta.get_field("channel").choices == kinds.Channel.choices


def test_routing_keeps_the_names_of_the_time_tables() -> None:
    from wowdesk.core import timetables
    from wowdesk.routing import business_hours, shifts

    for name in ("parse_shift", "parse_shifts", "Shift", "ScheduleError", "format_shift"):
        assert getattr(shifts, name) is getattr(timetables, name)
    assert business_hours.parse_hours is timetables.parse_hours
    assert business_hours.ALWAYS_OPEN is timetables.ALWAYS_OPEN


def test_the_agent_fields_of_routing_come_from_routing(agent: Agent, brand: Brand) -> None:
    """core.api reads on_shift, open_load and open_total through the contributor that
    routing registers; without it the core has none of them."""
    from wowdesk.core import api

    conversation = quick_conversation(brand, channel="email")
    Conversation.objects.filter(pk=conversation.pk).update(assignee=agent)
    assert api._agent_state == ["wowdesk.routing.api.agent_routing_state"]
    state = api.agent_states([agent])[agent.pk]
    assert state == {"on_shift": True, "open_load": {"email": 1}, "open_total": 1}
    assert api.agent_out(agent).open_total == 1
    saved = list(api._agent_state)
    api._agent_state.clear()
    try:
        assert api.agent_states([agent]) == {agent.pk: {}}
    finally:
        api._agent_state[:] = saved


def test_choice_labels_are_registered_by_the_apps_that_own_them() -> None:
    """core.i18n names no app's choices; conversations, routing and policies register
    theirs."""
    from wowdesk.conversations.models import Priority, Status
    from wowdesk.core import i18n
    from wowdesk.routing.models import SlaTarget

    assert i18n.CHOICES == {
        "channel": "wowdesk.core.kinds.Channel",
        "status": "wowdesk.conversations.models.Status",
        "priority": "wowdesk.conversations.models.Priority",
        "sla_target": "wowdesk.routing.models.SlaTarget",
        "grant_action": "wowdesk.policies.models.GrantAction",
    }
    for kind, value, label in [
        ("status", Status.PENDING, "Pending"),
        ("priority", Priority.URGENT, "Urgent"),
        ("sla_target", SlaTarget.RESOLUTION, "Resolution"),
        ("grant_action", "refund", "Refund"),
    ]:
        spec = i18n.deferred("%(v)s", v=i18n.choice(kind, value))
        assert i18n.render(spec, "en") == label
