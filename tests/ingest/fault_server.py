"""A real, scriptable HTTP server on 127.0.0.1 for client tests (no mocks of httpx).

Per path, a queue of ``Reply`` objects is served in order; once a queue is empty the path's
``repeat`` reply (if any) is served forever, else 404. A reply can be delayed before its headers
(for timeouts) or truncated: it announces the full Content-Length, sends only the first
``truncate_after`` bytes and closes the connection. Every request is recorded with its headers.
"""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: Any = b""  # bytes sent as is, str encoded UTF-8, anything else JSON-encoded
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # sleep before sending the status line
    truncate_after: int | None = None  # send only this many body bytes, then close

    def body_bytes(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        if isinstance(self.body, str):
            return self.body.encode("utf-8")
        return json.dumps(self.body).encode("utf-8")


def json_reply(payload: Any, status: int = 200, **kw: Any) -> Reply:
    return Reply(status=status, body=json.dumps(payload).encode("utf-8"), **kw)


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    at: float

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None


class FaultServer:
    """Context manager: ``with FaultServer() as srv: srv.script("/x", Reply(500), Reply(200))``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, deque[Reply]] = defaultdict(deque)
        self._repeat: dict[str, Reply] = {}
        self.requests: list[Recorded] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

            def do_GET(self) -> None:  # noqa: N802
                owner._handle(self)

            def do_POST(self) -> None:  # noqa: N802
                owner._handle(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def script(self, path: str, *replies: Reply, repeat: Reply | None = None) -> None:
        with self._lock:
            self._queues[path].extend(replies)
            if repeat is not None:
                self._repeat[path] = repeat

    def requests_to(self, path: str) -> list[Recorded]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def _next(self, path: str) -> Reply:
        with self._lock:
            queue = self._queues.get(path)
            if queue:
                return queue.popleft()
            return self._repeat.get(path) or Reply(404, {"error": "not scripted"})

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        if length:
            handler.rfile.read(length)
        with self._lock:
            self.requests.append(
                Recorded(
                    method=handler.command,
                    path=parts.path,
                    query=parse_qs(parts.query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in handler.headers.items()},
                    at=time.monotonic(),
                )
            )
        reply = self._next(parts.path)
        body = reply.body_bytes()
        try:
            if reply.delay_s:
                time.sleep(reply.delay_s)
            handler.send_response(reply.status)
            names = {k.lower() for k in reply.headers}
            if "content-type" not in names:
                handler.send_header("Content-Type", "application/json")
            for key, value in reply.headers.items():
                handler.send_header(key, value)
            handler.send_header("Content-Length", str(len(body)))
            if reply.truncate_after is not None:
                handler.send_header("Connection", "close")
                handler.close_connection = True
            handler.end_headers()
            handler.wfile.write(
                body if reply.truncate_after is None else body[: reply.truncate_after]
            )
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True

    def __enter__(self) -> FaultServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
