"""Small pieces every webhook channel (voice, social) shares."""

from __future__ import annotations

from typing import Any

from django.http import JsonResponse


def sub_object(data: dict[str, Any], key: str) -> dict[str, Any]:
    """``data[key]`` when it is an object, else an empty one (payloads from outside)."""
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def json_error(detail: str, status: int, code: str, **extra: Any) -> JsonResponse:
    """An error in the API's shape: ``{"detail", "code", …}``."""
    return JsonResponse({"detail": detail, "code": code, **extra}, status=status)
