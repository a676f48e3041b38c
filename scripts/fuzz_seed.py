"""Give the fuzzer something to find: a few rows behind the ids it will try (1, 2, 3…).

Usage: python scripts/fuzz_seed.py BASE_URL TOKEN. Writes only through the public API,
so it doubles as a smoke test of the happy path; any non-2xx stops the run.
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from typing import Any


def call(base: str, token: str, method: str, path: str, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        f"{base}/api/v1{path}",
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        raise SystemExit(f"seed: {method} {path} -> {exc.code} {exc.read()[:500]!r}") from exc


def main(base: str, token: str) -> None:
    conversations = []
    for i, (name, email, lang_body) in enumerate(
        [
            ("Ana Lima", "ana@example.com", "Hello, my lamp arrived broken."),
            ("Jonas Weber", "jonas@example.com", "Hallo, meine Bestellung fehlt."),
            ("Li Wei", "li@example.com", "你好。我的订单还没有到。"),
        ],
        start=1,
    ):
        result = call(
            base,
            token,
            "POST",
            "/inbound",
            {
                "channel": "api",
                "external_id": f"fuzz-seed-{i}",
                "from": {"name": name, "email": email},
                "subject": lang_body[:40],
                "body": lang_body,
            },
        )
        if result.get("conversation_id") is None:
            raise SystemExit(f"seed: POST /inbound did not open a conversation: {result}")
        conversations.append(result["conversation_id"])
    team = call(base, token, "POST", "/teams", {"name": "Fuzz team"})
    call(base, token, "POST", "/tags", {"name": "fuzz", "color": "#336699"})
    call(base, token, "POST", "/sites", {"name": "Fuzz site", "timezone": "Europe/Berlin"})
    call(base, token, "PATCH", f"/conversations/{conversations[0]}", {"team_id": team["id"]})
    call(base, token, "POST", f"/conversations/{conversations[0]}/replies", {"body": "On it."})
    call(base, token, "POST", "/tokens", {"name": "spare"})
    call(base, token, "POST", "/agents", {"email": "spare@example.com", "name": "Spare"})
    print(f"seed: {len(conversations)} conversations, a team, a tag, a site, a reply, an agent")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), sys.argv[2])
