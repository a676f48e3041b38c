"""Typed configuration read once from ``WOWDESK_*`` environment variables.

Every setting has a default that runs on one machine (SQLite, in-memory channel layer,
database-backed task worker); a cluster sets ``WOWDESK_DATABASE_URL`` and
``WOWDESK_REDIS_URL``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(value: str | None, default: int) -> int:
    if value is None or value == "":
        return default
    return int(value)


@dataclass(frozen=True)
class Config:
    data_dir: Path
    database_url: str | None
    redis_url: str | None
    secret_key: str
    debug: bool
    allowed_hosts: tuple[str, ...]
    default_language: str
    time_zone: str
    demo_data_dir: Path | None
    inbound_max_body_chars: int
    sqlite_timeout: int
    languages: tuple[str, ...] = ()
    # The address customers reach this install at (e.g. https://help.example.com): links sent
    # to customers outside a page (the answer bot's article links) start with it.
    public_url: str = ""
    translation_provider: str = ""
    translation_url: str = ""
    translation_model: str = ""
    translation_api_key: str = ""
    translation_timeout: float | None = None
    # the simulated customer of training role-plays: an OpenAI-compatible endpoint (the API
    # prefix, e.g. http://127.0.0.1:11434/v1); unset = the rule engine only
    training_llm_url: str = ""
    training_llm_model: str = ""
    training_llm_key: str = ""
    training_llm_timeout: float = 30.0
    # workforce planning: channels staffed as deferred work (answered within a response
    # window, not on the line) and that window when no SLA policy gives one
    wfm_deferred_channels: tuple[str, ...] = ("email",)
    wfm_deferred_response_seconds: float = 4 * 3600.0
    # email channel: inbound SMTP listener, outbound SMTP relay, limits
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 2525
    support_address: str = "support@localhost"
    email_host: str = "localhost"
    email_port: int = 25
    email_user: str = ""
    email_password: str = ""
    email_use_tls: bool = False
    email_use_ssl: bool = False
    email_from: str = ""
    email_timeout: float = 30.0
    email_max_message_bytes: int = 25 * 1024 * 1024
    email_max_attachment_bytes: int = 10 * 1024 * 1024
    # an outbox row being sent is leased for this long; past it, it is sent again
    outbox_lease_seconds: float = 300.0
    # rate limits (core/ratelimit.py; 0 turns one off): chat messages per visitor per
    # 10 seconds, inbound items per API token per second
    chat_rate: int = 20
    inbound_rate: int = 2000
    # outgoing webhooks may call loopback, private and link-local addresses (off: a brand's
    # admin cannot make the server call the machines behind it)
    webhook_private: bool = False
    # served over HTTPS: secure cookies, HSTS, a Content-Security-Policy
    https: bool = False
    # e.g. "X-Forwarded-Proto": the proxy in front says the request came over HTTPS
    trusted_proxy_header: str = ""
    hsts_seconds: int = 31_536_000
    # e.g. "X-Forwarded-For": the client's address as the trusted proxy appends it
    client_ip_header: str = ""
    # the Content-Security-Policy header even without HTTPS (on with HTTPS)
    csp: bool = False
    # an agent with no input in any workspace tab for this long is away
    away_after_minutes: int = 10
    # a resolved conversation not reopened for this many days may become a proposed article
    kb_proposal_days: int = 7
    # `wowdesk serve` answers the plain reply before Django (channels/reply_fastpath.py)
    reply_fast_path: bool = True

    @classmethod
    def from_env(cls, env: os._Environ[str] | dict[str, str] | None = None) -> Config:
        e = os.environ if env is None else env
        data_dir = Path(e.get("WOWDESK_DATA_DIR") or "./var").resolve()
        demo_dir = e.get("WOWDESK_DEMO_DATA_DIR")
        return cls(
            data_dir=data_dir,
            database_url=e.get("WOWDESK_DATABASE_URL") or None,
            redis_url=e.get("WOWDESK_REDIS_URL") or None,
            public_url=(e.get("WOWDESK_PUBLIC_URL") or "").rstrip("/"),
            secret_key=e.get("WOWDESK_SECRET_KEY") or "",
            debug=_bool(e.get("WOWDESK_DEBUG"), False),
            allowed_hosts=tuple(
                h.strip()
                for h in (e.get("WOWDESK_ALLOWED_HOSTS") or "127.0.0.1,localhost,testserver").split(
                    ","
                )
                if h.strip()
            ),
            default_language=e.get("WOWDESK_LANGUAGE") or "en",
            time_zone=e.get("WOWDESK_TIME_ZONE") or "UTC",
            demo_data_dir=Path(demo_dir).resolve() if demo_dir else None,
            inbound_max_body_chars=_int(e.get("WOWDESK_INBOUND_MAX_BODY_CHARS"), 200_000),
            sqlite_timeout=_int(e.get("WOWDESK_SQLITE_TIMEOUT"), 30),
            languages=tuple(
                c.strip().lower()
                for c in (e.get("WOWDESK_LANGUAGES") or "").split(",")
                if c.strip()
            ),
            translation_provider=e.get("WOWDESK_TRANSLATION_PROVIDER") or "",
            translation_url=e.get("WOWDESK_TRANSLATION_URL") or "",
            translation_model=e.get("WOWDESK_TRANSLATION_MODEL") or "",
            translation_api_key=e.get("WOWDESK_TRANSLATION_API_KEY") or "",
            translation_timeout=(
                float(e["WOWDESK_TRANSLATION_TIMEOUT"])
                if e.get("WOWDESK_TRANSLATION_TIMEOUT")
                else None
            ),
            training_llm_url=(e.get("WOWDESK_TRAINING_LLM_URL") or "").rstrip("/"),
            training_llm_model=e.get("WOWDESK_TRAINING_LLM_MODEL") or "",
            training_llm_key=e.get("WOWDESK_TRAINING_LLM_KEY") or "",
            training_llm_timeout=float(e.get("WOWDESK_TRAINING_LLM_TIMEOUT") or 30),
            wfm_deferred_channels=tuple(
                c.strip().lower()
                for c in (e.get("WOWDESK_WFM_DEFERRED_CHANNELS") or "email").split(",")
                if c.strip()
            ),
            wfm_deferred_response_seconds=float(
                e.get("WOWDESK_WFM_DEFERRED_RESPONSE_SECONDS") or 4 * 3600
            ),
            smtp_host=e.get("WOWDESK_SMTP_HOST") or "127.0.0.1",
            smtp_port=_int(e.get("WOWDESK_SMTP_PORT"), 2525),
            support_address=e.get("WOWDESK_SUPPORT_ADDRESS") or "support@localhost",
            email_host=e.get("WOWDESK_EMAIL_HOST") or "localhost",
            email_port=_int(e.get("WOWDESK_EMAIL_PORT"), 25),
            email_user=e.get("WOWDESK_EMAIL_USER") or "",
            email_password=e.get("WOWDESK_EMAIL_PASSWORD") or "",
            email_use_tls=_bool(e.get("WOWDESK_EMAIL_USE_TLS"), False),
            email_use_ssl=_bool(e.get("WOWDESK_EMAIL_USE_SSL"), False),
            email_from=e.get("WOWDESK_EMAIL_FROM") or "",
            email_timeout=float(e.get("WOWDESK_EMAIL_TIMEOUT") or 30),
            email_max_message_bytes=_int(
                e.get("WOWDESK_EMAIL_MAX_MESSAGE_BYTES"), 25 * 1024 * 1024
            ),
            email_max_attachment_bytes=_int(
                e.get("WOWDESK_EMAIL_MAX_ATTACHMENT_BYTES"), 10 * 1024 * 1024
            ),
            outbox_lease_seconds=float(e.get("WOWDESK_OUTBOX_LEASE_SECONDS") or 300),
            chat_rate=_int(e.get("WOWDESK_CHAT_RATE"), 20),
            inbound_rate=_int(e.get("WOWDESK_INBOUND_RATE"), 2000),
            webhook_private=_bool(e.get("WOWDESK_WEBHOOK_PRIVATE"), False),
            https=_bool(e.get("WOWDESK_HTTPS"), False)
            or bool((e.get("WOWDESK_TRUSTED_PROXY_HEADER") or "").strip()),
            trusted_proxy_header=(e.get("WOWDESK_TRUSTED_PROXY_HEADER") or "").strip(),
            hsts_seconds=_int(e.get("WOWDESK_HSTS_SECONDS"), 31_536_000),
            client_ip_header=(e.get("WOWDESK_CLIENT_IP_HEADER") or "").strip(),
            csp=_bool(e.get("WOWDESK_CSP"), False),
            reply_fast_path=_bool(e.get("WOWDESK_REPLY_FAST_PATH"), True),
            away_after_minutes=max(1, _int(e.get("WOWDESK_AWAY_AFTER_MINUTES"), 10)),
            kb_proposal_days=max(0, _int(e.get("WOWDESK_KB_PROPOSAL_DAYS"), 7)),
        )

    @property
    def proxy_ssl_header(self) -> tuple[str, str] | None:
        """Django's ``SECURE_PROXY_SSL_HEADER`` for the trusted proxy header, if any."""
        if not self.trusted_proxy_header:
            return None
        meta = "HTTP_" + self.trusted_proxy_header.upper().replace("-", "_")
        return (meta, "https")


DATA_DIR_MODE = 0o700
FILE_MODE = 0o600


def harden_data_dir(data_dir: Path) -> None:
    """The data dir (database, secret key, spool, uploads) is the service user's alone.

    Files this process creates from now on are private (umask 077); the data dir itself
    is 0700, and the files and folders directly in it that an older install left readable
    are narrowed (0600 files, 0700 folders).
    """
    os.umask(0o077)
    data_dir.mkdir(parents=True, exist_ok=True)
    data_dir.chmod(DATA_DIR_MODE)
    for entry in data_dir.iterdir():
        try:
            if entry.is_symlink():
                continue
            entry.chmod(DATA_DIR_MODE if entry.is_dir() else FILE_MODE)
        except OSError:  # not ours (another user's file): leave it
            continue


def secret_key_for(config: Config) -> str:
    """The configured key, or one generated once and kept in the data dir."""
    if config.secret_key:
        return config.secret_key
    path = config.data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    import secrets

    config.data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    path.write_text(key)
    path.chmod(0o600)
    return key
