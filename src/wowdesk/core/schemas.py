"""Shared API shapes."""

from ninja import Schema


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
