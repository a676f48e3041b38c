"""A minimal keep-alive HTTP/1.1 client on asyncio streams, for load generation only.

httpx costs ~3 ms of client CPU per request here; on a 2-core machine that shares the cores
with the server, the load generator would then measure itself. This client does only what
the benchmarks need: one request at a time per connection, ``Content-Length`` bodies (what
uvicorn sends for Django responses), JSON in and out. It talks only to 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode


class HttpError(Exception):
    """The connection failed or the answer was not HTTP/1.1 as expected."""


@dataclass
class Response:
    status_code: int
    content: bytes

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        return json.loads(self.content)


class Connection:
    """One keep-alive connection; reconnects when the server closes it."""

    def __init__(self, host: str, port: int, headers: dict[str, str] | None = None) -> None:
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the bench client talks to this machine only")
        self.host, self.port = host, port
        self.base = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _open(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        if self.reader is None or self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        return self.reader, self.writer

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        params: dict[str, Any] | None = None,
    ) -> Response:
        if params:
            path = f"{path}?{urlencode(params)}"
        body = b"" if json_body is None else json.dumps(json_body).encode()
        head = (
            f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n{self.base}"
            f"Content-Length: {len(body)}\r\n"
        )
        if body:
            head += "Content-Type: application/json\r\n"
        data = head.encode("latin-1") + b"\r\n" + body
        for attempt in (1, 2):
            reader, writer = await self._open()
            try:
                writer.write(data)
                return await self._read(reader)
            except (OSError, asyncio.IncompleteReadError, HttpError) as exc:
                await self.close()
                if attempt == 2:
                    raise HttpError(f"{type(exc).__name__}: {exc}") from exc
        raise HttpError("unreachable")

    async def _read(self, reader: asyncio.StreamReader) -> Response:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
            raise HttpError(f"bad status line {lines[0]!r}")
        status = int(parts[1])
        length: int | None = None
        close = False
        chunked = False
        for line in lines[1:]:
            name, _, value = line.partition(":")
            key = name.strip().lower()
            if key == "content-length":
                length = int(value.strip())
            elif key == "connection" and value.strip().lower() == "close":
                close = True
            elif key == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
        if chunked:
            content = await self._read_chunked(reader)
        elif length is not None:
            content = await reader.readexactly(length)
        else:
            content = await reader.read()
            close = True
        if close:
            await self.close()
        return Response(status, content)

    @staticmethod
    async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
        out = bytearray()
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0].strip(), 16)
            if size == 0:
                await reader.readuntil(b"\r\n")
                return bytes(out)
            out += await reader.readexactly(size)
            await reader.readexactly(2)


class Pool:
    """``size`` keep-alive connections to one server; at most ``size`` requests in flight."""

    def __init__(self, base_url: str, size: int, headers: dict[str, str] | None = None) -> None:
        rest = base_url.split("://", 1)[-1].rstrip("/")
        host, _, port = rest.partition(":")
        self._free: asyncio.Queue[Connection] = asyncio.Queue()
        self._all = [Connection(host, int(port or 80), headers) for _ in range(size)]
        for conn in self._all:
            self._free.put_nowait(conn)

    async def request(self, method: str, path: str, **kw: Any) -> Response:
        conn = await self._free.get()
        try:
            return await conn.request(method, path, **kw)
        finally:
            self._free.put_nowait(conn)

    async def get(self, path: str, params: dict[str, Any] | None = None) -> Response:
        return await self.request("GET", path, params=params)

    async def post(self, path: str, json: Any = None) -> Response:
        return await self.request("POST", path, json_body=json)

    async def close(self) -> None:
        for conn in self._all:
            await conn.close()

    async def __aenter__(self) -> Pool:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()
