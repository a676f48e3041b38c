"""The listener table (``wowdesk listeners``) and docs/events.md, generated from the
registries: the page says what the code registers."""

from __future__ import annotations

from pathlib import Path
from typing import get_type_hints

from typer.testing import CliRunner

from wowdesk.cli import app
from wowdesk.core import event_docs, events
from wowdesk.core.events import Event, Phase

DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"
runner = CliRunner()


def test_the_doc_shows_the_registered_listeners_and_payloads() -> None:
    """After adding or moving a listener: ``wowdesk listeners --write docs/events.md``."""
    text = DOC.read_text(encoding="utf-8")
    assert event_docs.generated(text) == text


def test_a_listener_not_in_the_doc_makes_it_stale() -> None:
    text = DOC.read_text(encoding="utf-8")
    with events.isolated("wowdesk."):
        events.listen(Event.CUSTOMER_MERGED, "tests.core.test_event_docs.on_merged")
        markdown = event_docs.listeners_markdown()
        assert (
            "| `customer.merged` | commit | `tests.core.test_event_docs.on_merged` | tests |"
            in (markdown.splitlines())
        )
        assert event_docs.generated(text) != text
    assert "test_event_docs" not in event_docs.listeners_markdown()


def on_merged(**_: object) -> None:
    """A listener for the test above (never called)."""


def test_every_listener_is_a_row_in_registration_order() -> None:
    rows = event_docs.listener_rows()
    table = events.listener_table()
    assert [r[2] for r in rows] == [listener.path for listener in table]
    assert len(rows) == len(table) > 0
    for event, phase, path, app_label in rows:
        assert Event(event) and Phase(phase)
        assert path in events.listeners(Event(event), Phase(phase))
        assert path.split(".")[1] == app_label


def test_the_payload_reference_names_every_key_of_every_event() -> None:
    markdown = event_docs.payloads_markdown()
    sections = markdown.split("### ")[1:]
    assert [s.split("`")[1] for s in sections] == [str(e) for e in Event]
    for event, section in zip(Event, sections, strict=True):
        keys = get_type_hints(events.PAYLOADS[event]).keys()
        shown = [line.split("`")[1] for line in section.splitlines() if line.startswith("| `")]
        assert shown == list(keys), event
        assert ("(public," in section) == (event in events.PUBLIC)
    # optional keys are marked, and a union's pipe does not split the table's cell
    assert "| `rule_id` | `int \\| None` | optional |" in markdown


def test_the_cli_prints_the_table(db: None) -> None:
    plain = runner.invoke(app, ["listeners"])
    assert plain.exit_code == 0, plain.output
    lines = plain.stdout.splitlines()
    assert lines[0].split() == ["event", "phase", "listener", "app"]
    assert [line.split() for line in lines[1:]] == [list(r) for r in event_docs.listener_rows()]
    md = runner.invoke(app, ["listeners", "--markdown"])
    assert md.exit_code == 0, md.output
    assert md.stdout.strip() == event_docs.listeners_markdown()


def test_the_cli_writes_the_doc(tmp_path: Path, db: None) -> None:
    stale = tmp_path / "events.md"
    stale.write_text(
        f"# Events\n\n{event_docs.LISTENERS_START}\nSTALE-ROW\n"
        f"{event_docs.LISTENERS_END}\n\ntext\n\n"
        f"{event_docs.PAYLOADS_START}\n{event_docs.PAYLOADS_END}\nend\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["listeners", "--write", str(stale)])
    assert result.exit_code == 0, result.output
    written = stale.read_text(encoding="utf-8")
    assert "STALE-ROW" not in written
    assert event_docs.listeners_markdown() in written
    assert written.startswith("# Events\n") and written.endswith("end\n") and "\ntext\n" in written
    assert event_docs.generated(written) == written


def test_the_cli_refuses_a_file_without_markers(tmp_path: Path, db: None) -> None:
    plain = tmp_path / "other.md"
    plain.write_text("# Nothing to generate here\n", encoding="utf-8")
    result = runner.invoke(app, ["listeners", "--write", str(plain)])
    assert result.exit_code == 2
    assert "markers" in result.output
    assert plain.read_text(encoding="utf-8") == "# Nothing to generate here\n"
