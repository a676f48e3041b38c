"""The sign-in throttle: keyed by the normalised username and the client address, shared by
the workspace and the admin login, kept in the database, and refusing a flood from one
address before any password is hashed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from wowdesk.core.models import Agent, Role
from wowdesk.web import services as throttle
from wowdesk.web.models import LoginThrottle

PASSWORD = "correct-horse-battery-staple"
EMAIL = "ana@example.com"


def _fail(client: Client, username: str, path: str = "/login/") -> Any:
    response = client.post(path, {"username": username, "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    return response


def _signs_in(client: Client, path: str = "/login/", username: str = EMAIL) -> bool:
    client.post(path, {"username": username, "password": PASSWORD})
    return "_auth_user_id" in client.session


@pytest.mark.parametrize(
    "variants",
    [
        # case
        [
            "ana@example.com",
            "ANA@example.com",
            "Ana@Example.COM",
            "aNa@eXample.com",
            "ANA@EXAMPLE.COM",
        ],
        # full-width letters (NFKC) and case together
        [
            "ａｎａ@example.com",
            "ＡＮＡ@example.com",
            "ana＠example.com",
            "ａna@ｅxample.com",
            EMAIL,
        ],
        # spaces around (a no-break space too)
        [
            " ana@example.com",
            "ana@example.com ",
            "\u00a0ana@example.com",
            "ANA@EXAMPLE.COM ",
            EMAIL,
        ],
    ],
)
def test_variants_of_one_username_count_against_one_lock(
    make_agent: Callable[..., Agent], variants: list[str]
) -> None:
    make_agent(Role.AGENT, email=EMAIL, password=PASSWORD)
    client = Client()
    assert len(variants) == throttle.MAX_FAILURES
    for name in variants:
        _fail(client, name)
    response = client.post("/login/", {"username": EMAIL, "password": PASSWORD})
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_normalise_username_folds_width_and_case() -> None:
    assert throttle.normalise_username("ＡＮＡ@Ｅxample.com ") == "ana@example.com"
    assert throttle.normalise_username("STRASSE") == throttle.normalise_username("straße")
    assert throttle.pair_key("ＡＮＡ@example.com", "10.0.0.1") == throttle.pair_key(
        "ana@example.com", "10.0.0.1"
    )
    assert throttle.pair_key(EMAIL, "10.0.0.1") != throttle.pair_key(EMAIL, "10.0.0.2")


def test_ipv6_addresses_of_one_network_share_a_count() -> None:
    assert throttle.address_key("2001:db8::1") == throttle.address_key("2001:db8::ffff:1")
    assert throttle.address_key("2001:db8::1") != throttle.address_key("2001:db8:0:1::1")
    assert throttle.address_key("::ffff:10.0.0.1") == throttle.address_key("10.0.0.1")


def _superuser(make_agent: Callable[..., Agent]) -> None:
    """Only superusers sign in to the Django admin."""
    agent = make_agent(Role.ADMIN, email=EMAIL, password=PASSWORD)
    agent.user.is_superuser = True
    agent.user.save(update_fields=["is_superuser"])


def test_admin_login_is_throttled(make_agent: Callable[..., Agent]) -> None:
    _superuser(make_agent)
    client = Client()
    for _ in range(throttle.MAX_FAILURES):
        _fail(client, EMAIL, "/admin/login/")
    response = client.post("/admin/login/", {"username": EMAIL, "password": PASSWORD})
    assert response.status_code == 200
    assert "Too many failed attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # The lock is the same one the workspace login checks.
    assert not _signs_in(client, "/login/")
    # Another address is not locked.
    assert _signs_in(Client(REMOTE_ADDR="10.0.0.9"), "/admin/login/")


def test_failures_at_the_workspace_lock_the_admin_login(make_agent: Callable[..., Agent]) -> None:
    _superuser(make_agent)
    client = Client()
    for _ in range(throttle.MAX_FAILURES):
        _fail(client, EMAIL.upper())
    assert not _signs_in(client, "/admin/login/")


def test_the_lock_survives_a_cache_clear(make_agent: Callable[..., Agent]) -> None:
    make_agent(Role.AGENT, email=EMAIL, password=PASSWORD)
    client = Client()
    for _ in range(throttle.MAX_FAILURES):
        _fail(client, EMAIL)
    cache.clear()
    # Cache pressure: many other keys written after the failures.
    for n in range(400):
        cache.set(f"filler-{n}", n)
    assert LoginThrottle.objects.filter(locked_until__gt=timezone.now()).exists()
    assert not _signs_in(Client(), "/login/")


def test_the_lock_ends_after_its_time(make_agent: Callable[..., Agent]) -> None:
    make_agent(Role.AGENT, email=EMAIL, password=PASSWORD)
    client = Client()
    for _ in range(throttle.MAX_FAILURES):
        _fail(client, EMAIL)
    assert not _signs_in(client)
    LoginThrottle.objects.update(locked_until=timezone.now() - dt.timedelta(seconds=1))
    assert _signs_in(client)


def test_failures_older_than_the_window_do_not_count(make_agent: Callable[..., Agent]) -> None:
    make_agent(Role.AGENT, email=EMAIL, password=PASSWORD)
    client = Client()
    for _ in range(throttle.MAX_FAILURES - 1):
        _fail(client, EMAIL)
    LoginThrottle.objects.update(
        window_started_at=timezone.now() - throttle.WINDOW - dt.timedelta(seconds=1)
    )
    _fail(client, EMAIL)
    assert throttle.failures(EMAIL, "127.0.0.1") == 1
    assert _signs_in(client)


class _CountingHasher:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        real_verify = Argon2PasswordHasher.verify
        real_encode = Argon2PasswordHasher.encode

        def verify(hasher: Any, password: str, encoded: str) -> bool:
            self.calls += 1
            return bool(real_verify(hasher, password, encoded))

        def encode(hasher: Any, password: str, salt: str) -> str:
            self.calls += 1
            return str(real_encode(hasher, password, salt))

        monkeypatch.setattr(Argon2PasswordHasher, "verify", verify)
        monkeypatch.setattr(Argon2PasswordHasher, "encode", encode)


@pytest.mark.parametrize("path", ["/login/", "/admin/login/"])
def test_a_flood_from_one_address_is_refused_before_hashing(
    make_agent: Callable[..., Agent], monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    _superuser(make_agent)
    hasher = _CountingHasher(monkeypatch)
    flood = Client(REMOTE_ADDR="203.0.113.7")
    # Many usernames (each below its own limit), existing or not.
    names = [f"user{n}@example.com" for n in range(throttle.ADDRESS_MAX_FAILURES)]
    for name in names:
        _fail(flood, name, path)
    assert hasher.calls >= throttle.ADDRESS_MAX_FAILURES  # each of those was checked
    hasher.calls = 0
    for name in ["fresh@example.com", EMAIL, "another@example.com", "x", "ＡＮＡ@example.com"]:
        _fail(flood, name, path)
    assert hasher.calls == 0
    # The right password from that address is refused too, without hashing.
    assert not _signs_in(flood, path)
    assert hasher.calls == 0
    # Other addresses sign in as usual.
    assert _signs_in(Client(REMOTE_ADDR="198.51.100.1"), path)


def test_a_locked_pair_is_refused_before_hashing(
    make_agent: Callable[..., Agent], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_agent(Role.AGENT, email=EMAIL, password=PASSWORD)
    client = Client()
    for _ in range(throttle.MAX_FAILURES):
        _fail(client, EMAIL)
    hasher = _CountingHasher(monkeypatch)
    for name in [EMAIL, EMAIL.upper(), "ａｎａ@example.com"]:
        _fail(client, name)
    assert hasher.calls == 0


def test_the_table_holds_no_username_or_address(make_agent: Callable[..., Agent]) -> None:
    make_agent(Role.AGENT, email=EMAIL, password=PASSWORD)
    _fail(Client(REMOTE_ADDR="192.0.2.44"), EMAIL)
    rows = list(LoginThrottle.objects.values_list("key", flat=True))
    assert len(rows) == 2
    assert all("ana" not in key and "192.0.2" not in key for key in rows)


def test_behind_a_proxy_each_client_is_counted_by_the_proxys_header(
    make_agent: Callable[..., Agent], settings: Any
) -> None:
    settings.WOWDESK_CLIENT_IP_HEADER = "X-Forwarded-For"
    make_agent(Role.AGENT, email=EMAIL, password=PASSWORD)
    proxy = "10.0.0.1"
    attacker = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9")
    for n in range(throttle.ADDRESS_MAX_FAILURES):
        _fail(attacker, f"user{n}@example.com")
    # The attacker's address is locked, whatever it claims before the proxy's entry.
    spoofing = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9")
    assert not _signs_in(spoofing)
    # Another client behind the same proxy signs in.
    assert _signs_in(Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.10"))


def test_without_the_setting_the_header_is_ignored(make_agent: Callable[..., Agent]) -> None:
    make_agent(Role.AGENT, email=EMAIL, password=PASSWORD)
    for n in range(throttle.MAX_FAILURES):
        _fail(Client(HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"), EMAIL)
    assert not _signs_in(Client(HTTP_X_FORWARDED_FOR="192.0.2.200"))


@pytest.mark.parametrize("value", ["", "not-an-address", "  ,  ", "300.1.1.1"])
def test_a_garbled_header_falls_back_to_the_peer(rf: Any, settings: Any, value: str) -> None:
    settings.WOWDESK_CLIENT_IP_HEADER = "X-Forwarded-For"
    request = rf.get("/login/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=value)
    assert throttle.client_ip(request) == "10.0.0.1"
