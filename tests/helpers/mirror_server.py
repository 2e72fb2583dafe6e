"""A stand-in for one mirror host on 127.0.0.1, serving every role llmenv uses:

- /pypi/simple/<project>/  PEP 503 pages of this machine's local PyPI copy (/opt/pypi), files under /pypi/files/
- /torch/whl/<variant>/torch/  a PEP 503 PyTorch index of the wheels in a folder (the /opt/wheels torch build)
- /torch-flat/<variant>/  the same wheels as one flat find-links page (Aliyun's layout)
- /hf/api/models/<id>  a Hugging Face endpoint answering for any model
- /python/<file>  python-build-standalone archives from a folder

`delay` slows every answer (a slow mirror); `links_upstream` makes the PyTorch pages link their files to
download-r2.pytorch.org, as a mirror that copies upstream's pages without rewriting them does.
"""

from __future__ import annotations

import hashlib
import html
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote

from packaging.utils import canonicalize_name

PYPI = Path("/opt/pypi")


@dataclass
class MirrorHost:
    wheels: Path | None = None  # folder holding torch-*.whl
    python: Path | None = None  # folder holding python-build-standalone archives
    pypi: Path = PYPI
    extra: Path | None = None  # wheels served as well, ahead of the /opt/pypi copy (uv, llmenv)
    delay: float = 0.0
    links_upstream: bool = False
    pep691: bool = False  # the `extra` wheels' pages answer PEP 691 JSON (with sizes) to clients that ask for it
    requests: list[str] = field(default_factory=list)
    port: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def downloads(self) -> list[str]:
        return [unquote(r) for r in self.requests if "/files/" in r or "/extra/" in r or r.startswith("/python/")]

    def torch_files(self) -> list[Path]:
        return sorted(self.wheels.glob("torch-*.whl")) if self.wheels else []


def _handler(host: MirrorHost) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def do_HEAD(self) -> None:
            self._serve(head=True)

        def do_GET(self) -> None:
            self._serve(head=False)

        def _serve(self, head: bool) -> None:
            host.requests.append(self.path)
            time.sleep(host.delay)
            parts = [unquote(p) for p in self.path.split("?")[0].split("/") if p]
            body: bytes | None = None
            path: Path | None = None
            kind = "text/html"
            extra = self._extra(parts[2]) if parts[:2] == ["pypi", "simple"] and len(parts) == 3 else []
            if extra and host.pep691 and "vnd.pypi.simple.v1+json" in self.headers.get("Accept", ""):
                kind = "application/vnd.pypi.simple.v1+json"
                files = [
                    {
                        "filename": p.name,
                        "url": f"/pypi/extra/{quote(p.name)}",
                        "hashes": {"sha256": hashlib.sha256(p.read_bytes()).hexdigest()},
                        "size": p.stat().st_size,
                    }
                    for p in extra
                ]
                body = json.dumps({"meta": {"api-version": "1.1"}, "name": parts[2], "files": files}).encode()
            elif extra:
                body = "".join(
                    f'<a href="/pypi/extra/{quote(p.name)}#sha256={hashlib.sha256(p.read_bytes()).hexdigest()}">'
                    f"{html.escape(p.name)}</a><br/>\n"
                    for p in extra
                ).encode()
            elif parts[:2] == ["pypi", "extra"] and len(parts) == 3 and host.extra:
                path = host.extra / parts[2]
            elif parts[:2] == ["pypi", "simple"] and len(parts) == 3:
                page = host.pypi / "simple" / parts[2] / "index.html"
                if page.is_file():
                    body = page.read_text().replace("../../files/", "/pypi/files/").encode()
            elif parts[:2] == ["pypi", "files"] and len(parts) == 3:
                path = host.pypi / "files" / parts[2]
            elif (parts[:2] == ["torch", "whl"] and len(parts) == 4 and parts[3] == "torch") or (
                parts[:1] == ["torch-flat"] and len(parts) == 2
            ):
                body = self._links("/torch/files/")
            elif parts[:2] == ["torch", "files"] and len(parts) == 3 and host.wheels:
                path = host.wheels / parts[2]
            elif parts[:3] == ["hf", "api", "models"]:
                body = b'{"id": "%s"}' % "/".join(parts[3:]).encode()
            elif parts[:1] == ["python"] and len(parts) >= 2 and host.python:
                path = host.python / parts[-1]  # <mirror>/<release tag>/<file>, as uv asks a mirror
            elif parts[:2] == ["torch", "whl"] and len(parts) == 3:  # a PEP 503 root lists its projects
                body = b'<html><body><a href="torch/">torch</a></body></html>'
            elif parts == ["pypi", "simple"]:
                body = b'<html><body><a href="numpy/">numpy</a><a href="filelock/">filelock</a></body></html>'
            elif parts in ([], ["hf"]):
                body = b"<html><body>mirror</body></html>"
            if path is not None and path.is_file():
                self._send(path.read_bytes() if not head else b"", "application/octet-stream", path.stat().st_size)
            elif body is not None:
                self._send(body if not head else b"", kind, len(body))
            else:
                self.send_error(404)

        def _extra(self, project: str) -> list[Path]:
            if host.extra is None:
                return []
            wanted = canonicalize_name(project)
            return [p for p in sorted(host.extra.glob("*.whl")) if canonicalize_name(p.name.split("-")[0]) == wanted]

        def _links(self, prefix: str) -> bytes:
            base = "https://download-r2.pytorch.org/whl/" if host.links_upstream else prefix
            links = "".join(
                f'<a href="{base}{quote(p.name)}">{html.escape(p.name)}</a><br/>\n' for p in host.torch_files()
            )
            return f"<!DOCTYPE html><html><body>\n{links}</body></html>".encode()

        def _send(self, body: bytes, kind: str, length: int) -> None:
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(length))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                return

    return Handler


@contextmanager
def serve_mirror(host: MirrorHost) -> Iterator[MirrorHost]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(host))
    httpd.daemon_threads = True
    host.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield host
    finally:
        httpd.shutdown()
        httpd.server_close()


def dead_port() -> int:
    """A port nothing listens on (connection refused at once): a mirror that is down."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def user_world(monkeypatch: object, tmp: Path) -> None:
    """The firewalled user's pip: no machine-wide pip configuration, no find-links, no local indexes."""
    setenv = monkeypatch.setenv  # type: ignore[attr-defined]
    delenv = monkeypatch.delenv  # type: ignore[attr-defined]
    setenv("PIP_CONFIG_FILE", "/dev/null")
    empty = tmp / "no-xdg"
    empty.mkdir(exist_ok=True)
    setenv("XDG_CONFIG_DIRS", str(empty))  # hides /etc/xdg/pip/pip.conf (find-links, extra indexes)
    for name in ("PIP_FIND_LINKS", "PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "UV_INDEX_URL", "UV_FIND_LINKS"):
        delenv(name, raising=False)
