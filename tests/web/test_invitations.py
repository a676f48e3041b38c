"""Agents invited from the workspace and the API (an email with a set-password link), and
"Forgot password?" (a reset link, the same answer whether the address exists or not)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client, TestCase

from wowdesk.core.models import Agent, AuditLog, Brand, Role
from wowdesk.web import services as throttle

PASSWORD = "correct-horse-battery-staple"
NEW_PASSWORD = "a-brand-new-passphrase-42"
LINK = re.compile(r"https?://[^\s]+/password/reset/[^\s]+/")


def signed_in(agent: Agent) -> Client:
    client = Client()
    client.force_login(agent.user)
    return client


def link_in(message: Any) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(0)


def set_password_through(link: str, password: str = NEW_PASSWORD) -> Client:
    client = Client()
    path = link.split("testserver", 1)[1]
    form = client.get(path, follow=True)
    assert form.status_code == 200
    assert 'id="set-password-form"' in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": password, "new_password2": password},
    )
    assert done.status_code == 302 and done["Location"] == "/password/reset/done/"
    return client


def invite(client: Client, to_brand: Brand, **over: str) -> Any:
    data = {
        "email": "new.agent@example.com",
        "name": "New Agent",
        "role": "agent",
        "languages": "de,en",
        "brand": str(to_brand.pk),
        **over,
    }
    with TestCase.captureOnCommitCallbacks(execute=True):  # the mail goes after commit
        return client.post("/settings/agents/", data)


def api_invite(api: Any, body: dict[str, Any]) -> Any:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return api.post("/agents/invite", body)


# --- invitations from the workspace ---------------------------------------------------------


def test_an_admin_invites_an_agent_who_sets_a_password_and_logs_in(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    admin = make_agent(Role.ADMIN, name="Boss")
    response = invite(signed_in(admin), brand)
    assert response.status_code == 302
    agent = Agent.objects.get(user__email="new.agent@example.com")
    assert [b.pk for b in agent.brands.all()] == [brand.pk]
    assert agent.role == Role.AGENT and agent.languages == ["de", "en"]
    assert not agent.user.has_usable_password()
    assert AuditLog.objects.filter(action="agent.invite", object_id=str(agent.pk)).exists()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.agent@example.com"]
    assert "Boss" in message.body and brand.name in message.body
    link = link_in(message)

    set_password_through(link)
    login = Client()
    login.post("/login/", {"username": "new.agent@example.com", "password": NEW_PASSWORD})
    assert "_auth_user_id" in login.session
    # Used once: the link is dead now.
    again = Client().get(link.split("testserver", 1)[1], follow=True)
    assert 'id="link-invalid"' in again.content.decode()


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR])
def test_only_admins_invite_from_the_agents_page(
    brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent], role: str
) -> None:
    for own in (brand, other_brand):
        client = signed_in(make_agent(role, brands=[own]))
        listing = client.get("/settings/agents/")
        # supervisors see the list (without the invitation form); agents are refused
        assert listing.status_code == (200 if role == Role.SUPERVISOR else 403)
        assert 'id="invite-form"' not in listing.content.decode()
        for target in (brand, other_brand):
            assert invite(client, target).status_code == 403
        pending = make_agent(Role.AGENT, brands=[own])
        assert client.post(f"/settings/agents/{pending.pk}/invite-again/").status_code == 403
    assert not Agent.objects.filter(user__email="new.agent@example.com").exists()
    assert mail.outbox == []


def test_anonymous_visitors_are_sent_to_the_login(brand: Brand) -> None:
    for response in (Client().get("/settings/agents/"), invite(Client(), brand)):
        assert response.status_code == 302
        assert response["Location"].startswith("/login/")
    assert mail.outbox == []


def test_an_admin_sees_and_invites_only_in_their_own_brands(
    brand: Brand, other_brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    mine = make_agent(Role.AGENT, name="Mine Agent")
    theirs = make_agent(Role.AGENT, name="Theirs Agent", brands=[other_brand])
    for admin, own, other, own_agent, other_agent in (
        (make_agent(Role.ADMIN), brand, other_brand, mine, theirs),
        (make_agent(Role.ADMIN, brands=[other_brand]), other_brand, brand, theirs, mine),
    ):
        client = signed_in(admin)
        page = client.get("/settings/agents/").content.decode()
        assert own_agent.display_name in page and other_agent.display_name not in page
        assert other.name not in page
        response = invite(client, other, email=f"x-{own.slug}@example.com")
        assert response.status_code == 400
        assert 'data-field="brand"' in response.content.decode()
        assert not Agent.objects.filter(user__email=f"x-{own.slug}@example.com").exists()
        # Sending the link again to the other brand's agent: not found.
        assert client.post(f"/settings/agents/{other_agent.pk}/invite-again/").status_code == 404
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": ""}, "email"),
        ({"role": "owner"}, "role"),
        ({"brand": "abc"}, "brand"),
        ({"brand": "999999"}, "brand"),
        ({"languages": "xx-notalang,??"}, "languages"),
        ({"name": "n" * 201}, "name"),
    ],
)
def test_bad_invitations_name_the_field(
    brand: Brand, make_agent: Callable[..., Agent], over: dict[str, str], field: str
) -> None:
    response = invite(signed_in(make_agent(Role.ADMIN)), brand, **over)
    assert response.status_code == 400
    assert f'data-field="{field}"' in response.content.decode()
    assert mail.outbox == []


def test_inviting_an_existing_address_is_refused(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    make_agent(Role.AGENT, email="taken@example.com")
    response = invite(signed_in(make_agent(Role.ADMIN)), brand, email="Taken@Example.com")
    assert response.status_code == 409
    assert 'data-field="email"' in response.content.decode()
    assert mail.outbox == []


def test_the_link_can_be_sent_again_while_no_password_is_set(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    admin = signed_in(make_agent(Role.ADMIN))
    invite(admin, brand)
    agent = Agent.objects.get(user__email="new.agent@example.com")
    assert admin.post(f"/settings/agents/{agent.pk}/invite-again/").status_code == 302
    assert len(mail.outbox) == 2
    set_password_through(link_in(mail.outbox[1]))
    admin.post(f"/settings/agents/{agent.pk}/invite-again/")
    assert len(mail.outbox) == 2  # a password is set: nothing more to send
    assert admin.get("/settings/agents/invite-again/").status_code == 404


def test_a_mail_server_that_refuses_the_invitation_is_said_so(
    brand: Brand,
    make_agent: Callable[..., Agent],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The agent is created; the refused mail is logged (no traceback) and the admin who
    asks to send it again is told it did not go."""
    from wowdesk.core import invitations

    def refused(*args: Any, **kwargs: Any) -> int:
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(invitations, "send_mail", refused)
    admin = signed_in(make_agent(Role.ADMIN))
    with caplog.at_level("WARNING"):
        assert invite(admin, brand).status_code == 302
    agent = Agent.objects.get(user__email="new.agent@example.com")
    assert "could not send the invitation mail" in caplog.text
    assert not [r for r in caplog.records if r.exc_info]
    again = admin.post(f"/settings/agents/{agent.pk}/invite-again/", follow=True)
    assert "did not take the invitation" in again.content.decode()
    assert len(mail.outbox) == 0


# --- invitations over the API ---------------------------------------------------------------


@pytest.mark.parametrize(("role", "status"), [("agent", 403), ("supervisor", 403), ("admin", 201)])
def test_api_invite_per_role(
    brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], Any],
    role: str,
    status: int,
) -> None:
    api = make_api(make_agent(role))
    response = api_invite(api, {"email": "api.agent@example.com", "name": "Api"})
    assert response.status_code == status, response.content
    if status == 201:
        assert response.json()["email"] == "api.agent@example.com"
        assert response.json()["brand_ids"] == [brand.pk]
        assert len(mail.outbox) == 1
        set_password_through(link_in(mail.outbox[0]))
    else:
        assert mail.outbox == []


def test_api_invite_into_another_brand_is_forbidden(
    brand: Brand,
    other_brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], Any],
) -> None:
    for own, other in ((brand, other_brand), (other_brand, brand)):
        api = make_api(make_agent(Role.ADMIN, brands=[own]))
        response = api_invite(api, {"email": f"x-{own.slug}@example.com", "brand_id": other.pk})
        assert response.status_code == 403
    assert api_invite(make_api(None), {"email": "y@example.com"}).status_code == 401
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "email"),
        ({"email": "nope"}, "email"),
        ({"email": "a@b"}, "email"),
        ({"email": "a@example.com\r\nBcc: x@example.com"}, "email"),
        ({"email": "a b@example.com"}, "email"),
        ({"email": "a@b.c", "role": "god"}, "role"),
    ],
)
def test_api_invite_bad_input_names_the_field(
    brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], Any],
    body: dict[str, Any],
    field: str,
) -> None:
    response = api_invite(make_api(make_agent(Role.ADMIN)), body)
    assert response.status_code == 422
    assert field in response.json()["field"]
    assert mail.outbox == []


# --- forgot password ------------------------------------------------------------------------


def test_forgot_password_sends_a_link_that_sets_a_new_password(
    make_agent: Callable[..., Agent],
) -> None:
    make_agent(Role.AGENT, email="ana@example.com", password=PASSWORD)
    assert 'href="/password/reset/"' in Client().get("/login/").content.decode()
    response = Client().post("/password/reset/", {"email": "ANA@example.com"})
    assert response.status_code == 302 and response["Location"] == "/password/reset/sent/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ana@example.com"]
    set_password_through(link_in(mail.outbox[0]))
    client = Client()
    client.post("/login/", {"username": "ana@example.com", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    client.post("/login/", {"username": "ana@example.com", "password": NEW_PASSWORD})
    assert "_auth_user_id" in client.session


def test_forgot_password_answers_the_same_for_any_address(
    make_agent: Callable[..., Agent],
) -> None:
    make_agent(Role.AGENT, email="ana@example.com", password=PASSWORD)
    gone = make_agent(Role.AGENT, email="gone@example.com", password=PASSWORD)
    Agent.objects.filter(pk=gone.pk).update(is_active=False)
    answers = set()
    for email in ["ana@example.com", "nobody@example.com", "gone@example.com", "x@y.zz"]:
        response = Client().post("/password/reset/", {"email": email})
        answers.add((response.status_code, response["Location"]))
        page = Client().get(response["Location"]).content.decode()
        assert email not in page
    assert answers == {(302, "/password/reset/sent/")}
    assert [m.to for m in mail.outbox] == [["ana@example.com"]]


def test_an_invited_agent_who_lost_the_mail_can_ask_for_a_new_link(
    brand: Brand, make_agent: Callable[..., Agent]
) -> None:
    invite(signed_in(make_agent(Role.ADMIN)), brand)
    Client().post("/password/reset/", {"email": "new.agent@example.com"})
    assert len(mail.outbox) == 2
    set_password_through(link_in(mail.outbox[1]))


def test_reset_mails_to_one_address_are_limited(make_agent: Callable[..., Agent]) -> None:
    make_agent(Role.AGENT, email="ana@example.com", password=PASSWORD)
    for n in range(throttle.RESET_MAILS_PER_ADDRESS + 3):
        response = Client(REMOTE_ADDR=f"10.0.0.{n + 1}").post(
            "/password/reset/", {"email": "Ana@example.com"}
        )
        assert response.status_code == 302 and response["Location"] == "/password/reset/sent/"
    assert len(mail.outbox) == throttle.RESET_MAILS_PER_ADDRESS


def test_a_forged_or_altered_link_sets_nothing(make_agent: Callable[..., Agent]) -> None:
    agent = make_agent(Role.AGENT, email="ana@example.com", password=PASSWORD)
    Client().post("/password/reset/", {"email": "ana@example.com"})
    path = link_in(mail.outbox[0]).split("testserver", 1)[1]
    uid, token = path.rstrip("/").split("/")[-2:]
    for bad in (
        f"/password/reset/{uid}/{token[:-1]}x/",
        f"/password/reset/{uid}/not-a-token/",
        "/password/reset/Zm9v/" + token + "/",
    ):
        page = Client().get(bad, follow=True).content.decode()
        assert 'id="link-invalid"' in page, bad
    agent.user.refresh_from_db()
    assert agent.user.check_password(PASSWORD)
