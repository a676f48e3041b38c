"""Call events from a phone system, in one small shape, and the formats we read them from.

Pure functions, no Django: tested with recorded payloads and hypothesis in
``tests/channels/voice/``. Three formats:

- generic (ours, JSON, signed like every wowdesk webhook): see ``parse_generic``;
- Twilio Programmable Voice webhooks (form-encoded; ``X-Twilio-Signature``);
- Asterisk ARI events (JSON, as the ARI WebSocket delivers them, forwarded by a bridge).
"""

from __future__ import annotations

import base64
import datetime as dt
import email.utils
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from wowdesk.channels.webhooks import sub_object


class CallEventKind(StrEnum):
    RINGING = "ringing"
    ANSWERED = "answered"
    ENDED = "ended"
    RECORDING = "recording"
    TRANSCRIPT = "transcript"


class MalformedEvent(ValueError):
    """The body is not a call event of the expected format."""


@dataclass(frozen=True)
class AgentRef:
    """Who took the call, as the phone system knows them."""

    id: int | None = None
    email: str = ""
    extension: str = ""


@dataclass(frozen=True)
class CallEvent:
    kind: CallEventKind
    call_id: str
    caller: str = ""
    called: str = ""
    caller_name: str = ""
    agent: AgentRef | None = None
    duration: int | None = None
    recording_url: str = ""
    transcript: str = ""
    # completed, no-answer, busy, failed, canceled (ended events)
    outcome: str = ""
    occurred_at: dt.datetime | None = None
    source: str = "generic"


def _text(value: Any, limit: int = 400) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise MalformedEvent("expected text")
    return str(value).strip()[:limit]


def _call_id(value: Any) -> str:
    text = _text(value, 1000)
    if not text or len(text) > 300 or any(ord(c) < 32 for c in text):
        raise MalformedEvent("call_id is required (up to 300 printable characters)")
    return text


def _duration(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise MalformedEvent("duration must be whole seconds")
    try:
        seconds = int(float(value))
    except (TypeError, ValueError, OverflowError) as exc:
        raise MalformedEvent("duration must be whole seconds") from exc
    if not 0 <= seconds <= 7 * 24 * 3600:
        raise MalformedEvent("duration must be between 0 and a week")
    return seconds


def _url(value: Any) -> str:
    url = _text(value, 2000)
    if url and urlsplit(url).scheme not in ("http", "https"):
        raise MalformedEvent("recording_url must be an http(s) URL")
    return url


def _iso(value: Any) -> dt.datetime | None:
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise MalformedEvent("timestamp must be ISO 8601")
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise MalformedEvent("timestamp must be ISO 8601") from exc
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


# --- generic ------------------------------------------------------------------------------


def parse_generic(data: Any) -> CallEvent:
    """``{"event": "ringing"|"answered"|"ended"|"recording"|"transcript", "call_id",
    "from", "to", "caller_name", "agent": {"id"|"email"|"extension"}, "duration",
    "recording_url", "transcript", "outcome", "timestamp"}``."""
    if not isinstance(data, dict):
        raise MalformedEvent("the body must be a JSON object")
    try:
        kind = CallEventKind(str(data.get("event")))
    except ValueError as exc:
        kinds = ", ".join(k.value for k in CallEventKind)
        raise MalformedEvent(f"event must be one of {kinds}") from exc
    agent = None
    raw_agent = data.get("agent")
    if raw_agent is not None:
        if not isinstance(raw_agent, dict):
            raise MalformedEvent("agent must be an object with id, email or extension")
        raw_id = raw_agent.get("id")
        if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, int)):
            raise MalformedEvent("agent.id must be a number")
        agent = AgentRef(
            id=raw_id,
            email=_text(raw_agent.get("email"), 320),
            extension=_text(raw_agent.get("extension"), 100),
        )
    event = CallEvent(
        kind=kind,
        call_id=_call_id(data.get("call_id")),
        caller=_text(data.get("from"), 40),
        called=_text(data.get("to"), 40),
        caller_name=_text(data.get("caller_name"), 200),
        agent=agent,
        duration=_duration(data.get("duration")),
        recording_url=_url(data.get("recording_url")),
        transcript=_text(data.get("transcript"), 100_000),
        outcome=_text(data.get("outcome"), 40),
        occurred_at=_iso(data.get("timestamp")),
    )
    if kind == CallEventKind.RINGING and not event.caller:
        raise MalformedEvent("a ringing event needs the caller's number in from")
    return event


# --- Twilio -------------------------------------------------------------------------------

_TWILIO_ENDED = {"completed", "busy", "no-answer", "failed", "canceled"}


def _twilio_agent(to: str) -> AgentRef | None:
    """The agent leg of a ``<Dial>``: ``client:alice``, ``sip:201@pbx.example`` or a number."""
    if not to:
        return None
    if to.startswith("client:"):
        return AgentRef(extension=to.removeprefix("client:"))
    if to.startswith("sip:"):
        user = to.removeprefix("sip:").split("@", 1)[0]
        return AgentRef(extension=user)
    return AgentRef(extension=to)


def parse_twilio(params: Mapping[str, str]) -> CallEvent | None:
    """A Twilio voice request (incoming-call webhook, status callback, recording or
    transcription callback). ``None`` for statuses that carry nothing for us."""
    call_sid = params.get("CallSid", "")
    if not call_sid:
        raise MalformedEvent("CallSid is required")
    parent = params.get("ParentCallSid", "")
    when = None
    if params.get("Timestamp"):
        try:
            when = email.utils.parsedate_to_datetime(params["Timestamp"])
        except (TypeError, ValueError):
            when = None
    common: dict[str, Any] = {
        "call_id": _call_id(parent or call_sid),
        # On the agent's leg of a <Dial>, From/To are that leg's: the caller is found
        # from the parent call's first event instead.
        "caller": "" if parent else _text(params.get("From") or params.get("Caller"), 40),
        "called": "" if parent else _text(params.get("To") or params.get("Called"), 40),
        "caller_name": _text(params.get("CallerName"), 200),
        "occurred_at": when,
        "source": "twilio",
    }
    if params.get("TranscriptionText") is not None and "TranscriptionSid" in params:
        if params.get("TranscriptionStatus", "completed") != "completed":
            return None
        return CallEvent(
            kind=CallEventKind.TRANSCRIPT,
            transcript=_text(params.get("TranscriptionText"), 100_000),
            recording_url=_url(params.get("RecordingUrl")),
            **common,
        )
    if "RecordingSid" in params and "RecordingUrl" in params:
        if params.get("RecordingStatus", "completed") != "completed":
            return None
        return CallEvent(
            kind=CallEventKind.RECORDING,
            recording_url=_url(params.get("RecordingUrl")),
            duration=_duration(params.get("RecordingDuration")),
            **common,
        )
    status = params.get("CallStatus", "")
    if status in ("ringing", "queued", "initiated"):
        if parent:
            return None  # the agent's phone rings: the customer's call already popped
        if not common["caller"]:
            raise MalformedEvent("From is required")
        return CallEvent(kind=CallEventKind.RINGING, **common)
    if status == "in-progress":
        if not parent:
            return None  # Twilio itself picked up (TwiML runs): no person yet
        agent = _twilio_agent(_text(params.get("To"), 300))
        return CallEvent(kind=CallEventKind.ANSWERED, agent=agent, **common)
    if status in _TWILIO_ENDED:
        if parent:
            return None  # the agent's leg ended; the customer's call ends on its own
        return CallEvent(
            kind=CallEventKind.ENDED,
            duration=_duration(params.get("CallDuration")),
            outcome=status,
            **common,
        )
    raise MalformedEvent(f"unknown CallStatus {status!r}")


def _twilio_string(url: str, params: Iterable[tuple[str, str]]) -> str:
    """The URL, then every parameter name followed by its value, sorted by name (and by
    value for a repeated name), as Twilio documents and its helper libraries do."""
    pairs = sorted(set(params))
    return url + "".join(k + v for k, v in pairs)


def twilio_signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """``X-Twilio-Signature``: base64 HMAC-SHA1 of the URL and sorted parameters."""
    mac = hmac.new(auth_token.encode(), _twilio_string(url, params).encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


def _with_and_without_port(url: str) -> list[str]:
    """Twilio may sign the URL with or without the default port; accept both forms."""
    parts = urlsplit(url)
    if parts.port is not None:
        host = parts.hostname or ""
        return [url, urlunsplit(parts._replace(netloc=host))]
    port = 443 if parts.scheme == "https" else 80
    netloc = f"{parts.netloc}:{port}"
    return [url, urlunsplit(parts._replace(netloc=netloc))]


def twilio_valid(
    auth_token: str, url: str, params: Iterable[tuple[str, str]], signature: str
) -> bool:
    """Check a Twilio request. For a JSON body Twilio adds ``bodySHA256`` to the URL
    and signs the URL alone; the caller passes no params and checks the hash."""
    if not auth_token or not signature:
        return False
    items = list(params)
    return any(
        hmac.compare_digest(twilio_signature(auth_token, candidate, items), signature.strip())
        for candidate in _with_and_without_port(url)
    )


# --- Asterisk ARI -------------------------------------------------------------------------


def _ari_when(value: Any) -> dt.datetime | None:
    try:
        return _iso(value)
    except MalformedEvent:
        return None


def parse_asterisk(data: Any, *, recording_url: str = "") -> CallEvent | None:
    """An ARI event (``StasisStart``, ``ChannelStateChange``, ``ChannelDestroyed``,
    ``RecordingFinished``); ``None`` for the many others. ``recording_url`` is a template
    with ``{name}`` and ``{format}`` for where the PBX serves stored recordings."""
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        raise MalformedEvent("an ARI event is an object with a type")
    kind = data["type"]
    when = _ari_when(data.get("timestamp"))
    if kind == "RecordingFinished":
        rec = data.get("recording")
        if not isinstance(rec, dict):
            raise MalformedEvent("RecordingFinished needs a recording")
        target = _text(rec.get("target_uri"), 400)
        if not target.startswith("channel:"):
            return None  # a bridge recording: not tied to one call
        name = _text(rec.get("name"), 300)
        url = recording_url.format(name=name, format=_text(rec.get("format"), 20))
        return CallEvent(
            kind=CallEventKind.RECORDING,
            call_id=_call_id(target.removeprefix("channel:")),
            recording_url=_url(url) if url else "",
            duration=_duration(rec.get("duration")),
            occurred_at=when,
            source="asterisk",
        )
    channel = data.get("channel")
    if kind not in ("StasisStart", "ChannelStateChange", "ChannelDestroyed"):
        return None
    if not isinstance(channel, dict):
        raise MalformedEvent(f"{kind} needs a channel")
    caller = sub_object(channel, "caller")
    connected = sub_object(channel, "connected")
    dialplan = sub_object(channel, "dialplan")
    common: dict[str, Any] = {
        "call_id": _call_id(channel.get("id")),
        "caller": _text(caller.get("number"), 40),
        "called": _text(dialplan.get("exten"), 40),
        "caller_name": _text(caller.get("name"), 200),
        "occurred_at": when,
        "source": "asterisk",
    }
    state = channel.get("state")
    if kind == "StasisStart":
        # The customer's channel enters our Stasis application while it rings; channels
        # we originate towards agents enter answered ("Up") and are not calls of their own.
        if state not in ("Ring", "Ringing"):
            return None
        if not common["caller"]:
            raise MalformedEvent("the channel has no caller number")
        return CallEvent(kind=CallEventKind.RINGING, **common)
    if kind == "ChannelStateChange":
        if state != "Up":
            return None
        extension = _text(connected.get("number"), 100)
        agent = AgentRef(extension=extension) if extension else None
        return CallEvent(kind=CallEventKind.ANSWERED, agent=agent, **common)
    # ChannelDestroyed: ARI gives no duration; it is the channel's lifetime.
    created = _ari_when(channel.get("creationtime"))
    duration = None
    if created and when and when >= created:
        duration = int((when - created).total_seconds())
    cause = _text(data.get("cause_txt"), 40)
    return CallEvent(
        kind=CallEventKind.ENDED,
        duration=duration,
        outcome="completed" if cause in ("", "Normal Clearing") else cause,
        **common,
    )
