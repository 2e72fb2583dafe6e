"""Credentials only to their origin (issue 18, item 5), for every HTTP client of llmenv's own: the index check
(doctor, setup), the mirror probe (`--mirror auto`), the checked download (IMDB) and the unchecked one (the hub).

Two local servers on 127.0.0.1 are two origins (the port differs). The first answers with a redirect; the second
records the headers it was sent. Before `llmenv.probe.http`, urllib copied the mirror's `Authorization` header to
the other origin, and the mirror probe counted a redirect loop (an HTTP 30x error) as an answer."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.hostile.conftest import llmenv

USER, PASSWORD = "mirroruser", "Rd7origin"
TOKEN = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
PAGE = b'<html><body><a href="/files/numpy-2.2.6-cp311-cp311-manylinux_2_28_x86_64.whl">numpy</a></body></html>'


@dataclass
class Host:
    """One origin: `routes` maps a path prefix to (status, Location or None); anything else gets the page."""

    routes: dict[str, tuple[int, str | None]] = field(default_factory=dict)
    seen: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Authorization)
    port: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def serve(host: Host) -> Iterator[Host]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def _answer(self, body: bool) -> None:
            host.seen.append((self.path, self.headers.get("Authorization")))
            for prefix, (status, location) in host.routes.items():
                if self.path.startswith(prefix):
                    self.send_response(status)
                    if location:
                        self.send_header("Location", location)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            if body:
                self.wfile.write(PAGE)

        def do_GET(self) -> None:
            self._answer(True)

        def do_HEAD(self) -> None:
            self._answer(False)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    host.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield host
    finally:
        server.shutdown()
        server.server_close()


# ---- the clients, each reduced to: fetch this URL (with credentials in it), did it count as reached? ----------


def index_check(url: str, tmp: Path) -> bool:
    from llmenv.probe.index import check_url

    return check_url(url, "index-url", timeout=3).reachable


def mirror_probe(url: str, tmp: Path) -> bool:
    import ssl

    from llmenv.mirrors.probe import Wanted, _probe

    wanted = Wanted(None, None, "numpy", "numpy-2.2.6-", ("pypi",))
    return _probe("campus", "pypi", url, wanted, None, 3.0, ssl.create_default_context()).ok


def hub_fetch(url: str, tmp: Path) -> bool:
    from llmenv.errors import DownloadError
    from llmenv.verify.smoke.remote import _fetch_unchecked

    try:
        _fetch_unchecked(url, tmp / "hub.bin", None)
    except DownloadError:
        return False
    return True


def data_download(url: str, tmp: Path) -> bool:
    import hashlib

    from llmenv.errors import DownloadError
    from llmenv.verify.smoke.download import download

    try:
        download(url, tmp / "data.bin", hashlib.sha256(PAGE).hexdigest(), timeout=3)
    except DownloadError:
        return False
    return True


CLIENTS: dict[str, Callable[[str, Path], bool]] = {
    "index": index_check,
    "mirror": mirror_probe,
    "hub": hub_fetch,
    "download": data_download,
}
SENDS_CREDENTIALS = ("index", "mirror")  # the two that turn a URL's user:password into a header


def with_auth(url: str) -> str:
    return url.replace("://", f"://{USER}:{PASSWORD}@")


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("client", CLIENTS)
def test_a_redirect_to_another_origin_gets_no_credentials(tmp_path: Path, client: str, status: int) -> None:
    with serve(Host()) as other, serve(Host()) as first:
        first.routes["/simple"] = (status, f"{other.base}/elsewhere/numpy/")
        reached = CLIENTS[client](with_auth(f"{first.base}/simple/"), tmp_path)
    assert other.seen, "the redirect was not followed"
    assert all(auth is None for _, auth in other.seen), other.seen
    assert reached  # the other origin answered; only the credentials stayed behind
    if client in SENDS_CREDENTIALS:
        assert first.seen[0][1] == TOKEN  # they did go to their own origin


@pytest.mark.parametrize("client", SENDS_CREDENTIALS)
def test_a_redirect_within_the_origin_keeps_credentials(tmp_path: Path, client: str) -> None:
    with serve(Host()) as first:
        first.routes["/simple/"] = (301, f"{first.base}/moved/numpy/")
        assert CLIENTS[client](with_auth(f"{first.base}/simple/"), tmp_path)
    assert [auth for path, auth in first.seen if path.startswith("/moved")] == [TOKEN]


@pytest.mark.parametrize(
    "target", ["file:///etc/passwd", "ftp://127.0.0.1/x", "data:text/html,<a>numpy-2.2.6-x.whl</a>", "gopher://x/"]
)
@pytest.mark.parametrize("client", CLIENTS)
def test_a_redirect_off_http_is_a_failure(tmp_path: Path, client: str, target: str) -> None:
    with serve(Host()) as first:
        first.routes["/"] = (302, target)
        assert not CLIENTS[client](with_auth(f"{first.base}/simple/"), tmp_path)
    assert not (tmp_path / "data.bin").exists() and not (tmp_path / "hub.bin").exists()


@pytest.mark.parametrize("client", CLIENTS)
def test_a_redirect_loop_is_a_failure(tmp_path: Path, client: str) -> None:
    with serve(Host()) as a, serve(Host()) as b:
        a.routes["/"] = (302, f"{b.base}/x")
        b.routes["/"] = (302, f"{a.base}/simple/")
        assert not CLIENTS[client](with_auth(f"{a.base}/simple/"), tmp_path)
    assert len(a.seen) + len(b.seen) <= 12  # bounded
    assert all(auth is None for _, auth in b.seen)


def test_doctor_does_not_send_the_index_password_to_another_origin(tmp_path: Path) -> None:
    """End to end: PIP_INDEX_URL with a password, the index redirects to another origin."""
    with serve(Host()) as other, serve(Host()) as first:
        first.routes["/"] = (302, f"{other.base}/simple/")
        env = {"PIP_CONFIG_FILE": "/dev/null", "PIP_INDEX_URL": with_auth(f"{first.base}/simple/")}
        result = llmenv("doctor", "--json", env=env, cwd=tmp_path, unset=("PIP_FIND_LINKS", "LLMENV_MIRROR"))
    assert result.code in (0, 1), result.text
    assert first.seen and first.seen[0][1] == TOKEN
    assert other.seen and all(auth is None for _, auth in other.seen), other.seen
    assert PASSWORD not in result.text


def test_mirror_auto_does_not_send_a_sets_password_to_another_origin(tmp_path: Path) -> None:
    with serve(Host()) as other, serve(Host()) as first:
        first.routes["/"] = (302, f"{other.base}/simple/numpy/")
        config = tmp_path / "config"
        config.mkdir()
        (config / "mirrors.yaml").write_text(f'campus:\n  pypi: "{with_auth(first.base + "/simple")}"\n')
        env = {"PIP_CONFIG_FILE": "/dev/null", "LLMENV_CONFIG_DIR": str(config)}
        result = llmenv(
            "setup", "torch", "--mirror", "auto", "--dry-run", "--json", env=env, cwd=tmp_path, unset=("LLMENV_MIRROR",)
        )
    assert result.code in (0, 1, 3), result.text
    assert first.seen, result.text  # the set was probed
    assert all(auth is None for _, auth in other.seen), other.seen
    assert PASSWORD not in result.text
    plan: dict[str, Any] = json.loads(result.out) if result.out.strip().startswith("{") else {}
    assert PASSWORD not in json.dumps(plan)
