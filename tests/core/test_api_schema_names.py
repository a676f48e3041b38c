"""Every schema the API names is one class: django-ninja keys the OpenAPI components by
class name, so two different classes of one name make one of them describe the other's
responses (the fuzzer then finds responses that "violate" their schema)."""

from __future__ import annotations

import collections
import typing
from typing import Any

import pydantic

from wowdesk.api import api


def test_no_two_schema_classes_share_a_name() -> None:
    seen: dict[str, set[str]] = collections.defaultdict(set)
    visited: set[Any] = set()

    def walk(t: Any, depth: int = 0) -> None:
        if depth > 8 or t is None:
            return
        if isinstance(t, type) and issubclass(t, pydantic.BaseModel):
            if t in visited:
                return
            visited.add(t)
            seen[t.__name__].add(f"{t.__module__}.{t.__qualname__}")
            for field in t.model_fields.values():
                walk(field.annotation, depth + 1)
            return
        for arg in typing.get_args(t):
            walk(arg, depth + 1)

    for _prefix, router in api._routers:
        for operations in router.path_operations.values():
            for op in operations.operations:
                for model in op.models:
                    walk(model)
                for response in (op.response_models or {}).values():
                    walk(response)
    assert len(seen) > 200
    assert {name: places for name, places in seen.items() if len(places) > 1} == {}
