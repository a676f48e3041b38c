"""Settings that protect an install: HTTPS (secure cookies, HSTS, proxy header), the
Content-Security-Policy header, and a data dir only the service user can read."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client

from wowdesk.config import Config

SRC = str(Path(__file__).resolve().parents[2] / "src")

PRINT_SETTINGS = """
import json
from django.conf import settings
names = ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
         "SECURE_PROXY_SSL_HEADER", "WOWDESK_CSP", "CSRF_TRUSTED_ORIGINS",
         "FILE_UPLOAD_PERMISSIONS", "SESSION_COOKIE_HTTPONLY"]
print(json.dumps({n: getattr(settings, n, None) for n in names}))
"""


def settings_with(env: dict[str, str], data_dir: Path) -> dict[str, Any]:
    """The Django settings a fresh process derives from these variables."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("WOWDESK_")}
    clean.update(
        env,
        WOWDESK_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="wowdesk.settings",
        PYTHONPATH=SRC,
    )
    code = "import django; django.setup()\n" + PRINT_SETTINGS
    done = subprocess.run(
        [sys.executable, "-c", code], env=clean, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def test_plain_http_install_keeps_cookies_usable_over_http(tmp_path: Path) -> None:
    s = settings_with({}, tmp_path / "data")
    assert s["SESSION_COOKIE_SECURE"] is False
    assert s["CSRF_COOKIE_SECURE"] is False
    assert s["SECURE_HSTS_SECONDS"] == 0
    assert s["SECURE_PROXY_SSL_HEADER"] is None
    assert s["WOWDESK_CSP"] is False
    assert s["SESSION_COOKIE_HTTPONLY"] is True


@pytest.mark.parametrize(
    "env",
    [
        {"WOWDESK_HTTPS": "1"},
        {"WOWDESK_HTTPS": "true"},
        {"WOWDESK_TRUSTED_PROXY_HEADER": "X-Forwarded-Proto"},
    ],
)
def test_https_turns_on_secure_cookies_hsts_and_csp(tmp_path: Path, env: dict[str, str]) -> None:
    s = settings_with(env, tmp_path / "data")
    assert s["SESSION_COOKIE_SECURE"] is True
    assert s["CSRF_COOKIE_SECURE"] is True
    assert s["SECURE_HSTS_SECONDS"] == 31_536_000
    assert s["WOWDESK_CSP"] is True
    assert "https://localhost" in s["CSRF_TRUSTED_ORIGINS"]


def test_trusted_proxy_header_becomes_djangos_proxy_ssl_header() -> None:
    config = Config.from_env({"WOWDESK_TRUSTED_PROXY_HEADER": "X-Forwarded-Proto"})
    assert config.https
    assert config.proxy_ssl_header == ("HTTP_X_FORWARDED_PROTO", "https")
    assert Config.from_env({}).proxy_ssl_header is None
    assert not Config.from_env({"WOWDESK_HTTPS": "0"}).https
    assert (
        Config.from_env({"WOWDESK_HSTS_SECONDS": "600", "WOWDESK_HTTPS": "1"}).hsts_seconds == 600
    )


def test_a_request_through_the_trusted_proxy_is_secure(
    db: None, settings: Any, client: Client
) -> None:
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.WOWDESK_CSP = True
    response = client.get("/login/", headers={"X-Forwarded-Proto": "https"})
    assert response.wsgi_request.is_secure()
    assert "wss://testserver" in response["Content-Security-Policy"]
    plain = client.get("/login/")
    assert not plain.wsgi_request.is_secure()


@pytest.mark.parametrize("path", ["/login/", "/api/v1/docs", "/admin/login/"])
def test_html_pages_carry_the_csp_when_it_is_on(
    db: None, settings: Any, client: Client, path: str
) -> None:
    settings.WOWDESK_CSP = True
    response = client.get(path)
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'self'"
    assert "ws://testserver" in directives["connect-src"]


def test_no_csp_on_json_or_when_off(db: None, settings: Any, client: Client) -> None:
    settings.WOWDESK_CSP = True
    assert "Content-Security-Policy" not in client.get("/api/v1/openapi.json")
    settings.WOWDESK_CSP = False
    assert "Content-Security-Policy" not in client.get("/login/")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_dir_is_narrowed_to_the_service_user(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "uploads").mkdir(parents=True)
    (data / "mail").mkdir()
    for name in ("wowdesk.sqlite3", "wowdesk.sqlite3-wal", "secret_key"):
        (data / name).write_text("x")
        (data / name).chmod(0o644)
    data.chmod(0o755)
    (data / "uploads").chmod(0o755)
    settings_with({}, data)
    assert _mode(data) == 0o700
    assert _mode(data / "uploads") == 0o700
    assert _mode(data / "mail") == 0o700
    for name in ("wowdesk.sqlite3", "wowdesk.sqlite3-wal", "secret_key"):
        assert _mode(data / name) == 0o600, name


def test_a_new_install_creates_private_files(tmp_path: Path) -> None:
    data = tmp_path / "fresh"
    settings_with({}, data)
    assert _mode(data) == 0o700
    assert _mode(data / "secret_key") == 0o600
    assert _mode(data / "static") == 0o700


def test_uploads_and_spooled_mail_are_private(db: None, settings: Any, tmp_path: Path) -> None:
    from wowdesk.channels.email import services as mail

    settings.MEDIA_ROOT = str(tmp_path / "uploads")
    settings.DATA_DIR = tmp_path
    name = default_storage.save("att/ab/file.txt", ContentFile(b"secret"))
    stored = Path(default_storage.path(name))
    assert _mode(stored) == 0o600
    assert _mode(stored.parent) == 0o700
    relative, _digest = mail._spool(b"From: a@example.com\r\n\r\nhi")
    spooled = mail.spool_dir() / relative
    assert _mode(spooled) == 0o600
    assert _mode(spooled.parent) & 0o077 == 0
