"""Errors a service raises for the edge (API, page, CLI) to report to a person."""

from __future__ import annotations


class ServiceError(Exception):
    """A rule said no. ``status`` is the HTTP status the API answers with."""

    status = 400

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        data: dict[str, object] | None = None,
    ):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or type(self).__name__
        # More for the API's answer (e.g. a conflict's current state), beside detail.
        self.data = data or {}


class InvalidInput(ServiceError):
    status = 422


class NotFound(ServiceError):
    status = 404


class Forbidden(ServiceError):
    status = 403


class Conflict(ServiceError):
    status = 409
