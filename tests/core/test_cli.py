"""The ``wowdesk`` command (run in-process on the test database)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.conftest import ApiClient
from wowdesk.cli import app
from wowdesk.core.models import Agent, ApiToken, Brand, Role

runner = CliRunner()


def test_token_create_prints_only_the_token_last(db: None) -> None:
    result = runner.invoke(
        app, ["token", "create", "--email", "Ops@Example.com", "--role", "admin"]
    )
    assert result.exit_code == 0, result.output
    raw = result.stdout.strip().splitlines()[-1]
    assert raw.startswith("wd_")
    assert raw.split() == [raw]  # nothing else on that line
    assert result.stdout.strip() == raw  # the explanation goes to stderr
    assert "shown only once" in result.stderr
    me = ApiClient(raw).get("/me")
    assert me.status_code == 200
    assert me.json()["email"] == "ops@example.com"
    assert me.json()["role"] == "admin"
    # created in the default brand of a fresh install
    assert [b["slug"] for b in me.json()["brands"]] == ["default"]


def test_token_create_for_an_existing_agent_changes_role_and_adds_a_token(agent: Agent) -> None:
    result = runner.invoke(app, ["token", "create", "--email", agent.email, "--role", "supervisor"])
    assert result.exit_code == 0, result.output
    agent.refresh_from_db()
    assert agent.role == Role.SUPERVISOR
    assert ApiToken.objects.filter(agent=agent).count() == 1
    assert ApiClient(result.stdout.strip().splitlines()[-1]).get("/me").json()["id"] == agent.pk


def test_token_create_bad_role(db: None) -> None:
    result = runner.invoke(app, ["token", "create", "--email", "x@example.com", "--role", "god"])
    assert result.exit_code == 2
    assert "unknown role" in result.stderr
    assert not Agent.objects.exists()


def test_token_revoke(db: None) -> None:
    raw = runner.invoke(app, ["token", "create", "--email", "x@example.com"]).stdout.strip()
    result = runner.invoke(app, ["token", "revoke", raw[:10]])
    assert result.exit_code == 0, result.output
    assert ApiClient(raw).get("/me").status_code == 401
    again = runner.invoke(app, ["token", "revoke", raw[:10]])
    assert again.exit_code == 2


def test_agent_add(brand: Brand) -> None:
    from wowdesk.core.services import create_site

    create_site(name="Porto", timezone_name="Europe/Lisbon", brand_ids=[brand.pk])
    result = runner.invoke(
        app,
        [
            "agent", "add",
            "--email", "Bea@Example.com",
            "--name", "Bea",
            "--role", "supervisor",
            "--languages", "pt,en",
            "--skills", "billing,returns",
            "--timezone", "Europe/Lisbon",
            "--capacity", "4",
            "--brand", "acme",
            "--site", "Porto",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    agent = Agent.objects.get(user__username="bea@example.com")
    assert f"agent {agent.pk} bea@example.com (supervisor) added" in result.stdout
    assert agent.display_name == "Bea"
    assert agent.languages == ["pt", "en"]
    assert agent.skills == ["billing", "returns"]
    assert agent.capacity == 4
    assert agent.site is not None
    assert agent.site.name == "Porto"
    assert list(agent.brands.values_list("slug", flat=True)) == ["acme"]
    assert not agent.user.has_usable_password()


def test_agent_add_with_password(brand: Brand) -> None:
    result = runner.invoke(
        app, ["agent", "add", "--email", "pw@example.com", "--password", "correct horse 9"]
    )
    assert result.exit_code == 0, result.output
    assert Agent.objects.get(user__username="pw@example.com").user.check_password("correct horse 9")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "dup@example.com"], "email"),
        (["--email", "new@example.com", "--timezone", "Mars/Base"], "timezone"),
        (["--email", "new@example.com", "--role", "boss"], "unknown role"),
        (["--email", "new@example.com", "--brand", "nope"], "no brand"),
        (["--email", "new@example.com", "--site", "Atlantis"], "no site"),
        (["--email", "not-an-email"], "email"),
    ],
)
def test_agent_add_errors(brand: Brand, args: list[str], message: str) -> None:
    assert runner.invoke(app, ["agent", "add", "--email", "dup@example.com"]).exit_code == 0
    before = Agent.objects.count()
    result = runner.invoke(app, ["agent", "add", *args])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert Agent.objects.count() == before
    assert not Agent.objects.filter(user__username="new@example.com").exists()


def test_token_create_with_brand_runs_the_readme_walkthrough(
    brand: Brand, other_brand: Brand
) -> None:
    result = runner.invoke(
        app,
        ["token", "create", "--email", "me@example.com", "--role", "admin", "--brand", "globex"],
    )
    assert result.exit_code == 0, result.output
    api = ApiClient(result.stdout.strip().splitlines()[-1])
    assert [b["slug"] for b in api.get("/me").json()["brands"]] == ["globex"]
    created = api.post(
        "/inbound",
        {
            "channel": "api",
            "external_id": "try-1",
            "from": {"name": "Putri", "email": "putri@example.com"},
            "body": "Halo, pesanan saya belum sampai sejak minggu lalu.",
        },
    )
    assert created.status_code == 202, created.content
    conversation = api.get(f"/conversations/{created.json()['conversation_id']}")
    assert conversation.status_code == 200
    assert conversation.json()["language"] == "id"


@pytest.mark.parametrize("slug", ["nope", "ACME", ""])
def test_token_create_with_an_unknown_brand_fails(brand: Brand, slug: str) -> None:
    result = runner.invoke(app, ["token", "create", "--email", "x@example.com", "--brand", slug])
    assert result.exit_code == 2
    assert "no brand with slug" in result.stderr
    assert "acme" in result.stderr
    assert not Agent.objects.filter(user__email="x@example.com").exists()


def test_token_create_for_an_agent_of_another_brand_fails(agent: Agent, other_brand: Brand) -> None:
    result = runner.invoke(app, ["token", "create", "--email", agent.email, "--brand", "globex"])
    assert result.exit_code == 2
    assert "does not work for the brand globex" in result.stderr
    assert not ApiToken.objects.filter(agent=agent).exists()
