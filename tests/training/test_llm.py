"""The optional OpenAI-compatible provider of the simulated customer, against a local fake
server replaying the shape of ``/v1/chat/completions``; any failure falls back to the rules
and is recorded on the message."""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.conftest import ApiClient
from wowdesk.core.models import Agent, Brand, Role
from wowdesk.training import llm
from wowdesk.training.models import TrainingMessage

# a recorded answer of an OpenAI-compatible server (fields as sent, ids shortened)
RECORDED = {
    "id": "chatcmpl-9x",
    "object": "chat.completion",
    "created": 1733590000,
    "model": "llama3.1:8b",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "Fine, if the new shade comes this week."},
            "finish_reason": "stop",
        }
    ],
    "usage": {"prompt_tokens": 180, "completion_tokens": 12, "total_tokens": 192},
}


class Fake:
    def __init__(self) -> None:
        self.status = 200
        self.body: Any = RECORDED
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []


@pytest.fixture
def fake() -> Iterator[tuple[Fake, str]]:
    state = Fake()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            state.requests.append(json.loads(self.rfile.read(length)))
            state.headers.append(dict(self.headers))
            data = state.body if isinstance(state.body, bytes) else json.dumps(state.body).encode()
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state, f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


def test_provider_sends_the_prompt_and_reads_the_reply(fake: tuple[Fake, str]) -> None:
    state, url = fake
    provider = llm.ChatProvider(url=url, model="llama3.1:8b", api_key="k-1", timeout=5)
    text = provider.reply("You are a customer.", [("customer", "Broken!"), ("trainee", "Sorry.")])
    assert text == "Fine, if the new shade comes this week."
    sent = state.requests[0]
    assert sent["model"] == "llama3.1:8b" and sent["stream"] is False
    assert [m["role"] for m in sent["messages"]] == ["system", "assistant", "user"]
    assert state.headers[0]["Authorization"] == "Bearer k-1"


@pytest.mark.parametrize(
    "status,body,reason",
    [
        (500, {"error": {"message": "boom"}}, "HTTP 500"),
        (200, b"not json", "not JSON"),
        (200, {"choices": []}, "could not be read"),
        (200, {"choices": [{"message": {"content": "  "}}]}, "empty"),
    ],
)
def test_provider_failures_raise_with_a_reason(
    fake: tuple[Fake, str], status: int, body: Any, reason: str
) -> None:
    state, url = fake
    state.status, state.body = status, body
    with pytest.raises(llm.LLMError, match=reason):
        llm.ChatProvider(url=url, model="m", timeout=5).reply("s", [])


def test_unreachable_provider_raises() -> None:
    with pytest.raises(llm.LLMError, match="cannot reach"):
        llm.ChatProvider(url="http://127.0.0.1:9/v1", model="m", timeout=2).reply("s", [])


@pytest.mark.django_db
def test_sessions_use_the_llm_and_fall_back_to_the_rules(
    fake: tuple[Fake, str],
    settings: Any,
    brand: Brand,
    make_agent: Callable[..., Agent],
    make_api: Callable[[Agent | None], ApiClient],
) -> None:
    state, url = fake
    settings.CONFIG = dataclasses.replace(
        settings.CONFIG, training_llm_url=url, training_llm_model="llama3.1:8b"
    )
    supervisor = make_api(make_agent(Role.SUPERVISOR, brands=[brand]))
    scenario = supervisor.post(
        "/training/scenarios",
        {
            "title": "Lamp",
            "opening": "My lamp is broken.",
            "facts": {"product": "Aurora lamp"},
            "expected_resolution": "We send a new shade.",
        },
    ).json()
    api = make_api(make_agent(Role.AGENT, brands=[brand]))
    session = api.post("/training/sessions", {"scenario_id": scenario["id"]}).json()
    assert session["provider"] == "llm"
    path = f"/training/sessions/{session['id']}/messages"
    r = api.post(path, {"body": "I'm sorry to hear that."})
    assert r.status_code == 200 and r.json()["body"] == "Fine, if the new shade comes this week."
    system = state.requests[-1]["messages"][0]["content"]
    assert "Aurora lamp" in system and "mood" in system
    assert state.requests[-1]["messages"][-1] == {
        "role": "user",
        "content": "I'm sorry to hear that.",
    }
    # the endpoint fails: the rules answer, and the message says why
    state.status, state.body = 503, {"error": "overloaded"}
    r = api.post(path, {"body": "Could you tell me which product it is?"})
    assert r.status_code == 200 and "Aurora lamp" in r.json()["body"]
    last = TrainingMessage.objects.filter(session_id=session["id"]).order_by("-id").first()
    assert last is not None
    assert last.meta["provider"] == "rules" and "HTTP 503" in last.meta["llm_error"]
