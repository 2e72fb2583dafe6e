"""A throwaway PEP 503 simple index on 127.0.0.1, serving a folder of wheels, optionally behind basic auth and
with chosen files served slowly (to interrupt an install half-way)."""

from __future__ import annotations

import base64
import hashlib
import html
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from packaging.utils import canonicalize_name, parse_wheel_filename


@dataclass
class IndexServer:
    folder: Path
    auth: tuple[str, str] | None = None
    slow: dict[str, float] = field(default_factory=dict)  # project name -> seconds to stall its file download
    requests: list[str] = field(default_factory=list)
    port: int = 0
    # Called at the start of every request, while the client (an installer) is certainly running: tests use it to
    # look at that client's /proc/<pid>/cmdline.
    on_request: Callable[[], None] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/simple/"

    def url_with_auth(self) -> str:
        assert self.auth
        return f"http://{self.auth[0]}:{self.auth[1]}@127.0.0.1:{self.port}/simple/"

    def files_for(self, project: str) -> list[Path]:
        return [
            p
            for p in sorted(self.folder.glob("*.whl"))
            if canonicalize_name(parse_wheel_filename(p.name)[0]) == project
        ]

    def downloads(self) -> list[str]:
        return [r for r in self.requests if r.startswith("/files/")]


def _handler(server: IndexServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def _authorised(self) -> bool:
            if server.auth is None:
                return True
            token = base64.b64encode(f"{server.auth[0]}:{server.auth[1]}".encode()).decode()
            if self.headers.get("Authorization") == f"Basic {token}":
                return True
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="test"')
            self.end_headers()
            return False

        def do_GET(self) -> None:
            server.requests.append(self.path)
            if server.on_request:
                server.on_request()
            if not self._authorised():
                return
            parts = [p for p in self.path.split("?")[0].split("/") if p]
            if parts[:1] == ["simple"] and len(parts) == 2:
                files = server.files_for(canonicalize_name(parts[1]))
                if not files:
                    self.send_error(404)
                    return
                links = "".join(
                    f'<a href="/files/{html.escape(p.name)}#sha256={hashlib.sha256(p.read_bytes()).hexdigest()}">'
                    f"{html.escape(p.name)}</a><br/>\n"
                    for p in files
                )
                self._send(f"<!DOCTYPE html><html><body>\n{links}</body></html>".encode(), "text/html")
            elif parts[:1] == ["simple"]:
                names = sorted(
                    {canonicalize_name(parse_wheel_filename(p.name)[0]) for p in server.folder.glob("*.whl")}
                )
                body = "".join(f'<a href="/simple/{n}/">{n}</a><br/>\n' for n in names)
                self._send(f"<!DOCTYPE html><html><body>{body}</body></html>".encode(), "text/html")
            elif parts[:1] == ["files"] and len(parts) == 2 and (server.folder / parts[1]).is_file():
                project = canonicalize_name(parse_wheel_filename(parts[1])[0])
                delay = server.slow.get(project, 0.0)
                data = (server.folder / parts[1]).read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                half = len(data) // 2
                try:
                    self.wfile.write(data[:half])
                    self.wfile.flush()
                    time.sleep(delay)
                    self.wfile.write(data[half:])
                except (BrokenPipeError, ConnectionResetError):
                    return  # the installer was interrupted or killed mid-download: that is the test
            else:
                self.send_error(404)

        def do_HEAD(self) -> None:
            server.requests.append("HEAD " + self.path)
            if self._authorised():
                self.send_response(200)
                self.end_headers()

        def _send(self, body: bytes, kind: str) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@contextmanager
def serve(server: IndexServer) -> Iterator[IndexServer]:
    # 127.0.0.1, not localhost: some resolvers try ::1 first and the server listens on IPv4 only.
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(server))
    httpd.daemon_threads = True
    server.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        httpd.shutdown()
        httpd.server_close()
