"""/api/v1/docs works offline: every asset it references is served by the project."""

from __future__ import annotations

import json
import re
from typing import Any

from django.contrib.staticfiles import finders
from django.test import Client


def test_api_docs_reference_no_outside_url(db: None) -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    page = response.content.decode()
    refs = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page)
    assert any(ref.endswith("swagger-ui-bundle.js") for ref in refs)
    assert any(ref.endswith("swagger-ui.css") for ref in refs)
    for ref in refs:
        assert ref.startswith("/static/"), ref
        assert finders.find(ref.removeprefix("/static/")) is not None, ref
    assert "cdn" not in page.lower()
    assert re.search(r"https?://", page) is None
    settings = json.loads(
        re.search(r'id="swagger-settings">(.*?)</script>', page, re.S).group(1)  # type: ignore[union-attr]
    )
    assert settings["validatorUrl"] is None
    assert settings["url"] == "/api/v1/openapi.json"


def test_swagger_init_script_loads_nothing_from_outside(db: None) -> None:
    path = finders.find("ninja/swagger-ui-init.js")
    assert path is not None
    with open(path, encoding="utf-8") as f:
        assert re.search(r"https?://", f.read()) is None


def test_api_docs_render_in_a_browser_from_local_assets_only(page: Any, live_server: Any) -> None:
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "wowdesk API" in page.inner_text(".swagger-ui .info .title")
    assert page.locator(".opblock").count() > 10  # the operations, read from the schema
    assert requested
    outside = [url for url in requested if not url.startswith(live_server.url)]
    assert outside == [], outside
