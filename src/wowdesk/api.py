"""API v1: one NinjaAPI, one router per app, bearer tokens, errors as JSON with the field."""

import logging
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer

from wowdesk.core import input as edge
from wowdesk.core.errors import ServiceError
from wowdesk.core.models import Agent
from wowdesk.core.services import agent_for_token

log = logging.getLogger(__name__)


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Agent | None:
        return agent_for_token(token)


class EdgeParser(Parser):
    """Bodies parsed as JSON is written (``core/input.py``: depth, NaN/Infinity, numbers
    that overflow); every query parameter within ``MAX_QUERY_VALUE`` characters, one line."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data: dict[str, Any] = edge.loads(request.body)
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        errors = []
        for key, values in data.lists():
            for value in values:
                try:
                    if isinstance(value, str):
                        edge.check_query(value, key)
                except edge.BadInput as exc:
                    errors.append({"loc": ("query", key), "msg": exc.message})
                    break
        if errors:
            raise ValidationError(errors)
        return super().parse_querydict(data, list_fields, request)


api = NinjaAPI(
    title="wowdesk API",
    version="1",
    description=(
        "The wowdesk help desk API. Authenticate with `Authorization: Bearer <token>` "
        "(`wowdesk token create --email E --role R`). Errors are JSON: "
        '`{"detail": "...", "field": "...", "code": "..."}`.'
    ),
    auth=BearerToken(),
    urls_namespace="api-v1",
    # The assets come from the project's static files (ninja in INSTALLED_APPS), and the
    # page asks no outside validator about the schema: the docs work offline.
    docs=Swagger(settings={"validatorUrl": None}),
    parser=EdgeParser(),
)


LOCATIONS = {"body", "query", "path", "header", "cookie", "form", "file"}
PARAM_NAMES = {"payload", "filters"}


def _field(loc: list[Any] | tuple[Any, ...]) -> str:
    """``["body", "payload", "from", "email"]`` → ``from.email``."""
    parts = [str(p) for p in loc]
    if parts and parts[0] in LOCATIONS:
        parts = parts[1:]
    if parts and parts[0] in PARAM_NAMES:
        parts = parts[1:]
    return ".".join(parts)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": _field(e.get("loc", ())), "message": str(e.get("msg", "invalid"))}
        for e in exc.errors
    ]
    first = errors[0] if errors else {"field": "", "message": "invalid input"}
    detail = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    return api.create_response(
        request,
        {"detail": detail, "field": first["field"], "code": "invalid", "errors": errors},
        status=422,
    )


@api.exception_handler(ServiceError)
def on_service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    response = api.create_response(
        request,
        {**exc.data, "detail": exc.message, "field": exc.field, "code": exc.code},
        status=exc.status,
    )
    retry_after = getattr(exc, "retry_after", None)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request,
        {"detail": _("A valid bearer token is needed."), "field": None, "code": "unauthorized"},
        status=401,
    )
    response["WWW-Authenticate"] = 'Bearer realm="wowdesk"'
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, edge.BadInput):  # the body is not JSON as JSON is written
        # A value JSON cannot carry (NaN, 1e999, nested too deeply) is the field's fault
        # (422, as the schema's refusals); a body that is no JSON at all is a 400.
        detail = f"{cause.field}: {cause.message}" if cause.field else cause.message
        return api.create_response(
            request,
            {"detail": detail, "field": cause.field or "body", "code": "invalid"},
            status=422 if cause.field else exc.status_code,
        )
    return api.create_response(
        request, {"detail": str(exc), "field": None, "code": "error"}, status=exc.status_code
    )


def _register() -> None:
    from wowdesk.analytics import api as analytics_api
    from wowdesk.analytics import api_reports, api_topics
    from wowdesk.automations.api import router as automations_router
    from wowdesk.channels.api import router as channels_router
    from wowdesk.conversations.api import router as conversations_router
    from wowdesk.conversations.api_workspace import router as workspace_router
    from wowdesk.core.api import router as core_router
    from wowdesk.core.fields_api import router as fields_router
    from wowdesk.customers.api import router as customers_router
    from wowdesk.intelligence.api import router as intelligence_router
    from wowdesk.knowledge import api as kb_api
    from wowdesk.knowledge import api_assist, api_bot, api_intents, api_loop, api_search
    from wowdesk.notifications.api import router as notifications_router
    from wowdesk.policies import api as policies_api
    from wowdesk.policies import api_abuse, api_privacy
    from wowdesk.quality import api as quality_api
    from wowdesk.routing.api import router as routing_router
    from wowdesk.surveys import api as surveys_api
    from wowdesk.surveys import api_followups, api_wow
    from wowdesk.training import api as training_api
    from wowdesk.training import api_assignments, api_culture
    from wowdesk.webhooks.api import router as webhooks_router
    from wowdesk.wfm import api_adherence, api_forecast, api_requests, api_rosters, api_staffing

    api.add_router("", core_router)
    api.add_router("", fields_router)
    api.add_router("", customers_router)
    api.add_router("", workspace_router)  # before conversations': /conversations/bulk
    api.add_router("", conversations_router)
    api.add_router("", channels_router)
    api.add_router("", routing_router)
    api.add_router("", intelligence_router)
    api.add_router("", webhooks_router)
    api.add_router("", automations_router)
    api.add_router("", notifications_router)
    api.add_router("", api_search.router)  # before kb_api: /kb/search is not an article id
    api.add_router("", kb_api.router)
    api.add_router("", api_intents.router)
    api.add_router("", api_assist.router)
    api.add_router("", api_bot.router)
    api.add_router("", api_loop.router)
    api.add_router("", surveys_api.router)
    api.add_router("", api_followups.router)
    api.add_router("", api_wow.router)
    api.add_router("", analytics_api.router)
    api.add_router("", api_topics.router)
    api.add_router("", api_reports.router)
    api.add_router("", policies_api.router)
    api.add_router("", api_abuse.router)
    api.add_router("", api_privacy.router)
    api.add_router("", quality_api.router)
    api.add_router("", training_api.router)
    api.add_router("", api_culture.router)
    api.add_router("", api_assignments.router)
    api.add_router("", api_forecast.router)
    api.add_router("", api_staffing.router)
    api.add_router("", api_rosters.router)
    api.add_router("", api_adherence.router)
    api.add_router("", api_requests.router)


_register()
