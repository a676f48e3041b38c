"""The one inbound envelope every channel adapter produces (``POST /api/v1/inbound``)."""

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import Field, ValidationInfo, field_validator, model_validator

from wowdesk.core.input import check_datetime, check_json, check_line, single_line

InboundChannel = Literal["api", "email", "chat", "voice", "social", "web"]


def _drop_nul(v: object) -> object:
    """NUL characters carry no meaning in text and PostgreSQL cannot store them (in a
    JSON object's keys and strings either, at any depth)."""
    if isinstance(v, str):
        return v.replace("\x00", "")
    if isinstance(v, dict):
        return {_drop_nul(k): _drop_nul(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_drop_nul(x) for x in v]
    return v


def at_the_edge(info: ValidationInfo) -> bool:
    """Validated for a client's request (django-ninja passes the request, the fast path
    ``edge``): refuse what is wrong. Built by a channel adapter from what a channel
    delivered (an email's From header): repair what can be repaired, lose nothing."""
    context = info.context
    return isinstance(context, dict) and ("request" in context or "edge" in context)


def _one_line(value: str, info: ValidationInfo) -> str:
    if at_the_edge(info):
        return check_line(value, "")
    return single_line(value)


class InboundFrom(Schema):
    name: str = Field("", max_length=200)
    email: str = Field("", max_length=320)
    phone: str = Field("", max_length=40)
    handle: str = Field("", max_length=320)

    _no_nul = field_validator("name", "email", "phone", "handle", mode="before")(_drop_nul)
    _single_line = field_validator("name", "email", "phone", "handle")(_one_line)

    @model_validator(mode="after")
    def needs_an_address(self) -> "InboundFrom":
        if not (self.email.strip() or self.phone.strip() or self.handle.strip()):
            raise ValueError("from needs an email, a phone or a handle")
        return self


class InboundIn(Schema):
    channel: InboundChannel
    external_id: str = Field(..., min_length=1, max_length=400)
    from_: InboundFrom = Field(..., alias="from")
    subject: str = Field("", max_length=998)
    body: str = Field(..., max_length=200_000)
    html: str = Field("", max_length=1_000_000)
    sent_at: dt.datetime | None = None
    conversation_id: int | None = Field(None, ge=1, le=2**62)
    inbox: str | int | None = None
    brand_id: int | None = Field(None, ge=1, le=2**62)
    # Channel-specific facts kept on the message (email headers, call details, …).
    meta: dict[str, Any] | None = None

    model_config = {"populate_by_name": True}

    _no_nul = field_validator("subject", "body", "html", "inbox", "meta", mode="before")(_drop_nul)
    _single_line = field_validator("subject")(_one_line)

    @field_validator("meta")
    @classmethod
    def meta_storable(cls, v: dict[str, Any] | None, info: ValidationInfo) -> dict[str, Any] | None:
        if v is not None and at_the_edge(info):
            check_json(v)
        return v

    @field_validator("external_id")
    @classmethod
    def external_id_printable(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise ValueError("external_id cannot be blank")
        if any(ord(c) < 32 for c in v):
            raise ValueError("external_id cannot contain control characters")
        return v

    @field_validator("body")
    @classmethod
    def body_not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("body cannot be empty")
        return v

    @field_validator("sent_at")
    @classmethod
    def sent_at_in_range(cls, v: dt.datetime | None, info: ValidationInfo) -> dt.datetime | None:
        """Aware, in UTC, within 1970-2100; from a channel, an impossible date is dropped
        (the time received stands in)."""
        if v is None:
            return v
        try:
            return check_datetime(v, "")
        except ValueError:
            if at_the_edge(info):
                raise
            return None


class InboundOut(Schema):
    message_id: int | None
    conversation_id: int | None
    number: int | None = None
    status: str
    duplicate: bool = False
