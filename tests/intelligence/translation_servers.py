"""Small HTTP servers on 127.0.0.1 that speak the translation providers' protocols.

They follow the documented requests, answers and error shapes of LibreTranslate
(``POST /translate``, ``GET /languages``) and of an OpenAI-compatible chat server
(``POST /v1/chat/completions``, ``GET /v1/models``), with a deterministic toy "translation"
from a small dictionary so tests can assert exact outputs. Every request is recorded.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar, Self
from urllib.parse import parse_qs

# (source, target, text) → translation; codes as LibreTranslate's models name them.
LIBRE_DICTIONARY: dict[tuple[str, str, str], str] = {
    ("de", "en", "Mein Paket ist nicht angekommen."): "My parcel has not arrived.",
    ("en", "de", "We will send you a new parcel today."): "Wir senden Ihnen heute ein neues Paket.",
    ("es", "en", "¿Dónde está mi pedido?"): "Where is my order?",
    ("en", "pb", "Where is my order?"): "Onde está meu pedido?",
    ("zh", "en", "我的订单还没有到。"): "My order has not arrived yet.",
    ("zt", "en", "我的訂單還沒有到。"): "My order has not arrived yet.",
    ("en", "zh", "Your order arrives tomorrow."): "您的订单明天送达。",
    ("en", "zt", "Your order arrives tomorrow."): "您的訂單明天送達。",
    ("ar", "en", "طلبي لم يصل بعد 📦"): "My order has not arrived yet 📦",
    ("en", "ar", "Your order arrives tomorrow 🚚"): "طلبك يصل غدا 🚚",
}

LANGUAGES: dict[str, str] = {
    "ar": "Arabic",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "pb": "Portuguese (Brazil)",
    "pt": "Portuguese",
    "zh": "Chinese",
    "zt": "Chinese (traditional)",
}

# Newer LibreTranslate versions accept and report ISO tags for these model codes.
_ISO_TO_MODEL = {"zh-hans": "zh", "zh-hant": "zt", "pt-br": "pb"}
_MODEL_TO_ISO = {"zh": "zh-Hans", "zt": "zh-Hant", "pb": "pt-BR"}

# (target language name as the prompt says it, text) → translation.
CHAT_DICTIONARY: dict[tuple[str, str], str] = {
    ("English", "Mein Paket ist nicht angekommen."): "My parcel has not arrived.",
    ("German", "We will send you a new parcel today."): "Wir senden Ihnen heute ein neues Paket.",
    ("English", "我的订单还没有到。"): "My order has not arrived yet.",
    ("Chinese (Simplified)", "Your order arrives tomorrow."): "您的订单明天送达。",
    ("English", "طلبي لم يصل بعد 📦"): "My order has not arrived yet 📦",
    ("Arabic", "Your order arrives tomorrow 🚚"): "طلبك يصل غدا 🚚",
    ("Spanish", "Order #A-1042 ships on 2024-05-03: see https://example.com/t?id=7"): (
        "El pedido #A-1042 se envía el 2024-05-03: vea https://example.com/t?id=7"
    ),
}
CHAT_LANGUAGE_NAMES = sorted({name for name, _ in CHAT_DICTIONARY}, key=len, reverse=True)


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class _Handler(BaseHTTPRequestHandler):
    server: FakeServer._Server

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def _send(self, status: int, body: Any, content_type: str = "application/json") -> None:
        data = (
            json.dumps(body, ensure_ascii=False).encode("utf-8")
            if content_type == "application/json"
            else str(body).encode("utf-8")
        )
        self.send_response(status)
        self.send_header("Content-Type", f"{content_type}; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        fake = self.server.fake
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        content_type = self.headers.get("Content-Type", "")
        body: Any
        if "application/json" in content_type:
            try:
                body = json.loads(raw.decode("utf-8"))
            except ValueError:
                body = _INVALID_JSON
        elif "application/x-www-form-urlencoded" in content_type:
            body = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
        else:
            body = raw.decode("utf-8", "replace") or None
        record = RecordedRequest(self.command, self.path, dict(self.headers.items()), body)
        with fake.lock:
            fake.requests.append(record)
        if fake.hold is not None:
            fake.hold.wait(timeout=30)
        if fake.delay:
            time.sleep(fake.delay)
        if fake.raw_failure is not None:
            status, text = fake.raw_failure
            self._send(status, text, content_type="text/html")
        else:
            status, answer = fake.respond(self.command, self.path, self.headers, body)
            self._send(status, answer)
        with fake.lock:
            fake.answered += 1

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()


class _InvalidJson:
    pass


_INVALID_JSON = _InvalidJson()


class FakeServer:
    """A threaded HTTP server on 127.0.0.1 (an ephemeral port); use as a context manager."""

    class _Server(ThreadingHTTPServer):
        daemon_threads = True
        fake: FakeServer

    def __init__(self) -> None:
        self.requests: list[RecordedRequest] = []
        self.answered = 0
        self.lock = threading.Lock()
        self.delay = 0.0
        self.hold: threading.Event | None = None  # set: requests wait until it is set
        self.raw_failure: tuple[int, str] | None = None  # e.g. a proxy's 502 HTML page
        self._httpd = self._Server(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def posts(self, path: str) -> list[RecordedRequest]:
        with self.lock:
            return [r for r in self.requests if r.method == "POST" and r.path == path]

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.hold is not None:
            self.hold.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def respond(self, method: str, path: str, headers: Any, body: Any) -> tuple[int, Any]:
        raise NotImplementedError


def _toy_translate(text: str, target: str, known: str) -> str:
    if not any(ch.isalpha() for ch in text):  # nothing translatable (emoji, numbers)
        return text
    return known or f"[{target}] {text}"


class FakeLibreTranslate(FakeServer):
    """LibreTranslate's API as its source and tests define it (``libretranslate/app.py``).

    ``iso_codes`` True behaves like newer versions (also accepting ``zh-Hans``, ``pt-BR``
    and reporting detected languages as ISO tags); False like older ones (model codes only).
    ``api_keys`` set: a wrong key is refused with 403, a missing one with 400.
    """

    def __init__(
        self,
        *,
        languages: dict[str, str] | None = None,
        api_keys: set[str] | None = None,
        iso_codes: bool = True,
    ) -> None:
        super().__init__()
        self.languages = dict(LANGUAGES if languages is None else languages)
        self.api_keys = api_keys
        self.iso_codes = iso_codes
        self.rate_limited = False
        self.broken = False

    def _model_code(self, code: str) -> str:
        return _ISO_TO_MODEL.get(code.lower(), code) if self.iso_codes else code

    def _report(self, code: str) -> str:
        return _MODEL_TO_ISO.get(code, code) if self.iso_codes else code

    def _detect(self, text: str) -> str:
        for source, _target, known in LIBRE_DICTIONARY:
            if known == text:
                return source
        if any("\u4e00" <= ch <= "\u9fff" for ch in text):
            return "zh"
        if any("\u0600" <= ch <= "\u06ff" for ch in text):
            return "ar"
        return "en"

    def respond(self, method: str, path: str, headers: Any, body: Any) -> tuple[int, Any]:
        if method == "GET" and path == "/languages":
            codes = sorted(self.languages)
            return 200, [
                {"code": self._report(c), "name": n, "targets": [self._report(t) for t in codes]}
                for c, n in sorted(self.languages.items())
            ]
        if method != "POST" or path != "/translate":
            return 404, {"error": "Not Found"}
        if self.rate_limited:
            return 429, {"error": "Slowdown: 10 per 1 minute"}
        if not isinstance(body, dict):
            return 400, {"error": "Invalid JSON format"}
        if self.api_keys is not None:
            key = body.get("api_key")
            if key and key not in self.api_keys:
                return 403, {"error": "Invalid API key"}
            if not key:
                return 400, {"error": "Please contact the server operator to get an API key"}
        q, source, target = body.get("q"), body.get("source"), body.get("target")
        for name, value in (("q", q), ("source", source), ("target", target)):
            if not value:
                return 400, {"error": f"Invalid request: missing {name} parameter"}
        if not isinstance(q, str):
            return 400, {"error": "this fake translates one text per request"}
        detected = None
        if source == "auto":
            source_model = self._detect(q)
            detected = {"confidence": 90.0, "language": self._report(source_model)}
        else:
            source_model = self._model_code(str(source))
        if source_model not in self.languages:
            return 400, {"error": f"{source} is not supported"}
        target_model = self._model_code(str(target))
        if target_model not in self.languages:
            return 400, {"error": f"{target} is not supported"}
        text_format = body.get("format") or "text"
        if text_format not in ("text", "html"):
            return 400, {"error": f"{text_format} format is not supported"}
        if self.broken:
            return 500, {"error": "Cannot translate text: model failed to load"}
        known = LIBRE_DICTIONARY.get((source_model, target_model, q), "")
        answer: dict[str, Any] = {"translatedText": _toy_translate(q, target_model, known)}
        if detected is not None:
            answer["detectedLanguage"] = detected
        return 200, answer


def _openai_error(
    status: int, message: str, type_: str, code: str | None, param: str | None = None
) -> tuple[int, Any]:
    return status, {"error": {"message": message, "type": type_, "param": param, "code": code}}


class FakeOpenAIChat(FakeServer):
    """An OpenAI-compatible chat server (the API llama.cpp, vLLM and Ollama serve).

    The toy model reads the target language from the system prompt ("… into German …")
    and looks the user's text up in ``CHAT_DICTIONARY``. ``wrap`` makes it answer the way
    chat models often do: ``think`` (a reasoning block first), ``quotes``, ``fence``,
    ``label`` ("Translation: …"). ``content`` forces the reply text; ``finish_reason``
    forces that field (``length`` = cut off).
    """

    models: ClassVar[tuple[str, ...]] = ("toy-translator",)

    def __init__(self, *, api_key: str | None = None) -> None:
        super().__init__()
        self.api_key = api_key
        self.wrap: str | None = None
        self.content: str | None = None
        self.finish_reason = "stop"

    def _auth_error(self, headers: Any) -> tuple[int, Any] | None:
        if self.api_key is None:
            return None
        auth = headers.get("Authorization") or ""
        if not auth:
            return _openai_error(
                401,
                "You didn't provide an API key. You need to provide your API key in an "
                "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                "invalid_request_error",
                None,
            )
        if auth != f"Bearer {self.api_key}":
            shown = auth.removeprefix("Bearer ")
            return _openai_error(
                401,
                f"Incorrect API key provided: {shown[:3]}***{shown[-4:]}.",
                "invalid_request_error",
                "invalid_api_key",
            )
        return None

    def _model_reply(self, messages: list[dict[str, Any]]) -> str:
        system = " ".join(str(m.get("content")) for m in messages if m.get("role") == "system")
        user = [str(m.get("content")) for m in messages if m.get("role") == "user"]
        text = user[-1] if user else ""
        target = next((n for n in CHAT_LANGUAGE_NAMES if f"into {n}" in system), None)
        if target is None:
            return "Which language should I translate into?"
        translation = _toy_translate(text, target, CHAT_DICTIONARY.get((target, text), ""))
        if self.wrap == "think":
            return f"<think>\nThe user wants {target}. Keep the numbers.\n</think>\n\n{translation}"
        if self.wrap == "quotes":
            return f"“{translation}”"
        if self.wrap == "fence":
            return f"```text\n{translation}\n```"
        if self.wrap == "label":
            return f"Translation ({target}): {translation}"
        return translation

    def respond(self, method: str, path: str, headers: Any, body: Any) -> tuple[int, Any]:
        auth_error = self._auth_error(headers)
        if method == "GET" and path == "/v1/models":
            if auth_error:
                return auth_error
            return 200, {
                "object": "list",
                "data": [
                    {"id": m, "object": "model", "created": 0, "owned_by": "fake"}
                    for m in self.models
                ],
            }
        if method != "POST" or path != "/v1/chat/completions":
            return _openai_error(
                404, f"Invalid URL ({method} {path})", "invalid_request_error", None
            )
        if auth_error:
            return auth_error
        if body is _INVALID_JSON or not isinstance(body, dict):
            return _openai_error(
                400,
                "We could not parse the JSON body of your request.",
                "invalid_request_error",
                None,
            )
        model = body.get("model")
        if not model:
            return _openai_error(
                400, "you must provide a model parameter", "invalid_request_error", None
            )
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            return _openai_error(
                400,
                "Missing required parameter: 'messages'.",
                "invalid_request_error",
                "missing_required_parameter",
                "messages",
            )
        if model not in self.models:
            return _openai_error(
                404,
                f"The model `{model}` does not exist or you do not have access to it.",
                "invalid_request_error",
                "model_not_found",
            )
        reply = self.content if self.content is not None else self._model_reply(messages)
        return 200, {
            "id": f"chatcmpl-{len(self.requests)}",
            "object": "chat.completion",
            "created": 1_700_000_000,
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply},
                    "finish_reason": self.finish_reason,
                }
            ],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        }
