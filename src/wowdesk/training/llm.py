"""The simulated customer's words from an OpenAI-compatible chat endpoint (pure: no Django).

Configured by ``WOWDESK_TRAINING_LLM_URL`` (the API prefix, e.g. ``http://127.0.0.1:11434/v1``),
``_MODEL``, ``_KEY`` and ``_TIMEOUT`` (``config.py``). The rule engine (``simulator.py``)
still keeps the mood, the outcome and the score; the model only words the reply, given a
system prompt of the scenario's facts and the current mood (``simulator.system_prompt``).
Any failure raises :class:`LLMError` with a reason; the caller falls back to the rules and
records the reason on the message. The request has the shape of the translation provider's
(``intelligence/translation.py``): ``POST {url}/chat/completions``, bearer key, no stream.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

DEFAULT_TIMEOUT = 30.0
MAX_REPLY_CHARS = 2000
_THINK = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.DOTALL | re.IGNORECASE)


class LLMError(Exception):
    """The endpoint gave no usable reply; ``str(exc)`` says why."""


@dataclass(frozen=True)
class ChatProvider:
    url: str
    model: str
    api_key: str = ""
    timeout: float = DEFAULT_TIMEOUT

    def reply(self, system: str, history: Sequence[tuple[str, str]]) -> str:
        """The customer's next message. ``history``: (``"customer"|"trainee"``, text)."""
        messages = [{"role": "system", "content": system}]
        for role, text in history:
            # the model plays the customer: its own lines are the assistant's
            messages.append(
                {"role": "assistant" if role == "customer" else "user", "content": text}
            )
        payload = {"model": self.model, "messages": messages, "temperature": 0.7, "stream": False}
        headers = {"Accept": "application/json"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        try:
            response = httpx.post(
                f"{self.url.rstrip('/')}/chat/completions",
                json=payload,
                headers=headers,
                timeout=self.timeout,
            )
        except httpx.TimeoutException as exc:
            raise LLMError(f"no answer within {self.timeout:g} s") from exc
        except httpx.HTTPError as exc:
            raise LLMError(f"cannot reach the model: {type(exc).__name__}") from exc
        if response.status_code != 200:
            raise LLMError(f"the model answered HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as exc:
            raise LLMError("the model's answer is not JSON") from exc
        choices = body.get("choices") if isinstance(body, dict) else None
        choice = choices[0] if isinstance(choices, list) and choices else None
        message = choice.get("message") if isinstance(choice, dict) else None
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, list):  # content parts
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        if not isinstance(content, str):
            raise LLMError("the model's answer could not be read")
        text = _THINK.sub("", content).strip().strip('"').strip()
        if not text:
            raise LLMError("the model returned an empty reply")
        return text[:MAX_REPLY_CHARS]
