"""Shared API shapes, and the edge validators (``core/input.py``) as field types."""

import datetime as dt
from typing import Annotated

from ninja import Schema
from pydantic import AfterValidator, StringConstraints

from wowdesk.core.input import check_date, check_line, check_timezone


def _line(value: str) -> str:
    return check_line(value, "")


def _date(value: dt.date) -> dt.date:
    return check_date(value, "")


def _timezone(value: str) -> str:
    return check_timezone(value, "") if value else value


# One line of text: no line break, NUL or other control character (names, subjects,
# tags, addresses: what ends up in a mail header or a list row).
Line = Annotated[str, AfterValidator(_line)]
# A tag's name, as the conversation's tag list carries it.
TagName = Annotated[str, StringConstraints(max_length=64), AfterValidator(_line)]
# A calendar date a person may set (1970-2100).
SaneDate = Annotated[dt.date, AfterValidator(_date)]
# An IANA time zone name zoneinfo knows ("" where the field allows none).
TimeZoneName = Annotated[str, AfterValidator(_timezone)]


class Error(Schema):
    detail: str
    field: str | None = None
    code: str | None = None


class AgentRef(Schema):
    id: int
    name: str
    email: str


class Page(Schema):
    total: int
    page: int
    page_size: int


ERRORS: dict[int, type[Schema]] = {
    400: Error,
    401: Error,
    403: Error,
    404: Error,
    409: Error,
    422: Error,
}


def agent_ref(agent: object | None) -> AgentRef | None:
    from wowdesk.core.models import Agent

    if agent is None or not isinstance(agent, Agent):
        return None
    return AgentRef(id=agent.pk, name=agent.display_name, email=agent.user.email)
