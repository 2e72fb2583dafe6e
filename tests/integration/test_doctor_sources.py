"""Doctor predicts setup's source failures: every index and find-links location the plan uses is checked for being
a package index, and a no-index configuration that cannot supply the pins fails before setup runs. All servers
are on 127.0.0.1; pip's machine-wide configuration is switched off (PIP_CONFIG_FILE=/dev/null), as for a user."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from threading import Thread
from typing import Any

import pytest

from llmenv.probe.index import check_url
from tests.conftest import CliResult
from tests.helpers.index_server import IndexServer, serve
from tests.helpers.wheels import make_wheel

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def index(tmp_path: Path) -> Iterator[IndexServer]:
    make_wheel(tmp_path / "wheels", "alpha", "1.0")
    with serve(IndexServer(tmp_path / "wheels")) as server:
        yield server


@pytest.fixture
def welcome_page() -> Iterator[str]:
    """A web server's welcome page where an index was expected (a mistyped path, a captive portal)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            body = b"<!DOCTYPE html><html><head><title>Welcome to nginx!</title></head><body>It works.</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/simple/"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def user_world(monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    def configure(**variables: str) -> None:
        monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")
        for name in ("PIP_FIND_LINKS", "PIP_EXTRA_INDEX_URL", "PIP_INDEX_URL", "PIP_NO_INDEX", "PIP_CERT"):
            monkeypatch.delenv(name, raising=False)
        for name, value in variables.items():
            monkeypatch.setenv(name, value)

    return configure


def tiny_profile(tmp_path: Path, variant_index: str | None = None) -> Path:
    path = tmp_path / "tiny.yaml"
    text = "name: tiny\npython: '>=3.10'\naccelerator: cpu\npackages: [alpha==1.0]\n"
    if variant_index:
        text += f"accelerators:\n  cpu:\n    index_url: {variant_index}\n    index_packages: [alpha]\n"
    path.write_text(text + "checks:\n  imports: [alpha]\n", encoding="utf-8")
    return path


def findings(cli: Callable[..., CliResult], *args: str) -> dict[str, dict[str, Any]]:
    result = cli("doctor", *args, "--json")
    return {f["id"]: f for f in json.loads(result.out)["findings"]}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_an_index_answering_404_is_a_failure(
    index: IndexServer, user_world: Callable[..., None], cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    """Failed before: HEAD of the URL answered 404 and the index was called "reachable"."""
    wrong = index.url.replace("/simple/", "/simpel/")
    assert not check_url(wrong, "index-url").reachable
    user_world(PIP_INDEX_URL=wrong)
    found = findings(cli, "-p", str(tiny_profile(tmp_path)))["network.index.index-url"]
    assert found["status"] == "fail" and "404" in found["evidence"]
    assert check_url(index.url, "index-url").reachable


def test_an_html_page_that_is_not_an_index_is_a_failure(
    welcome_page: str, user_world: Callable[..., None], cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    """Failed before: any 200 answer counted as a working index."""
    user_world(PIP_INDEX_URL=welcome_page)
    found = findings(cli, "-p", str(tiny_profile(tmp_path)))["network.index.index-url"]
    assert found["status"] == "fail" and "is not a package index" in found["title"]
    assert "PEP 503" in found["evidence"]


def test_the_variant_index_is_checked(
    index: IndexServer, user_world: Callable[..., None], cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    """Failed before: the profile's variant index (download.pytorch.org for torch) was not checked at all."""
    user_world(PIP_INDEX_URL=index.url)
    variant = index.url.replace("/simple/", "/whl/cpu/")
    by_id = findings(cli, "-p", str(tiny_profile(tmp_path, variant)))
    found = by_id["network.index.variant"]
    assert found["status"] == "fail" and "/whl/cpu/" in found["evidence"]
    assert "--mirror" in found["fix"]
    assert by_id["network.index.index-url"]["status"] == "ok"


def test_no_index_with_find_links_lacking_the_pins_fails(
    user_world: Callable[..., None], cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    """Failed before: PIP_NO_INDEX=1 with find-links that do not hold the pins passed doctor; setup then failed."""
    links = tmp_path / "links"
    make_wheel(links, "beta", "1.0")
    make_wheel(links, "alpha", "2.0")
    user_world(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(links))
    found = findings(cli, "-p", str(tiny_profile(tmp_path)), "--offline")["network.pins-findable"]
    assert found["status"] == "fail" and "alpha==1.0" in found["evidence"] and "PIP_NO_INDEX" in found["evidence"]
    make_wheel(links, "alpha", "1.0")
    assert findings(cli, "-p", str(tiny_profile(tmp_path)), "--offline")["network.pins-findable"]["status"] == "ok"


def test_no_index_without_find_links_fails(
    user_world: Callable[..., None], cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    user_world(PIP_NO_INDEX="1")
    found = findings(cli, "-p", str(tiny_profile(tmp_path)), "--offline")["network.pins-findable"]
    assert found["status"] == "fail" and "nowhere to install from" in found["title"]


def test_setup_failing_on_an_unreachable_variant_index_names_the_host(
    index: IndexServer, user_world: Callable[..., None], cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    """Failed before: exit 4 with the installer's "no version of alpha==1.0+cpu" and nothing about the variant
    index that could not be reached."""
    user_world(PIP_INDEX_URL=index.url)
    variant = f"http://127.0.0.1:{closed_port()}/whl/cpu"
    result = cli("setup", str(tiny_profile(tmp_path, variant)), "--env", str(tmp_path / "env"), "--skip-smoke")
    assert result.code == 4, result.out + result.err
    text = result.out + result.err
    assert f"{variant}" in text and "could not be reached" in text and "--mirror" in text
    assert "alpha==1.0+cpu" in text


def test_unreachable_variant_index_with_a_stand_in_is_a_warning_and_setup_agrees(
    index: IndexServer, user_world: Callable[..., None], cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    """The variant index cannot be reached, but a find-links folder holds the labelled build: setup succeeds by
    falling back, so doctor warns instead of failing (as on this development machine: download.pytorch.org is
    unreachable and /opt/wheels holds torch 2.13.0+cpu)."""
    links = tmp_path / "links"
    make_wheel(links, "alpha", "1.0+cpu")
    user_world(PIP_INDEX_URL=index.url, PIP_FIND_LINKS=str(links))
    profile = str(tiny_profile(tmp_path, f"http://127.0.0.1:{closed_port()}/whl/cpu"))
    result = cli("doctor", "-p", profile, "--json")
    found = {f["id"]: f for f in json.loads(result.out)["findings"]}["network.index.variant"]
    assert found["status"] == "warn" and f"alpha==1.0+cpu from {links}" in found["evidence"]
    assert result.code == 0
    setup = cli("setup", profile, "--env", str(tmp_path / "env"), "--skip-smoke")
    assert setup.code == 0, setup.out + setup.err


def test_an_index_dripping_its_page_is_bounded() -> None:
    """The index check reads the page now (HEAD did not): a server sending a byte every 0.2 s must not hold it
    past its timeout."""
    import time

    class Drip(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            try:
                for _ in range(200):
                    self.wfile.write(b"<")
                    self.wfile.flush()
                    time.sleep(0.2)
            except (BrokenPipeError, ConnectionResetError):
                return

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Drip)
    httpd.daemon_threads = True
    Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        start = time.perf_counter()
        status = check_url(f"http://127.0.0.1:{httpd.server_address[1]}/simple/", "index-url", timeout=1.0)
        assert time.perf_counter() - start < 3.0
        assert not status.reachable and status.kind == "not-index"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_one_stalled_connection_is_asked_again() -> None:
    """Failed before: one request to pypi.org that got no answer within 3 s made doctor FAIL the index as
    "unreachable (timeout)" (the README quick start went red in CI), while the same doctor run reached PyPI in
    0.17 s a moment later. The first request here gets silence, the second a PEP 503 page."""
    import time

    seen: list[float] = []

    class Flaky(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            seen.append(time.perf_counter())
            if len(seen) == 1:
                time.sleep(3)  # past the client's timeout
                return
            body = b'<html><body><a href="/simple/alpha/">alpha</a></body></html>'
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Flaky)
    httpd.daemon_threads = True
    Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        status = check_url(f"http://127.0.0.1:{httpd.server_address[1]}/simple/", "index-url", timeout=1.0)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert len(seen) == 2
    assert status.reachable and status.kind == "ok", status


def test_an_index_that_never_answers_is_a_timeout_within_two_tries() -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)  # accepted by the kernel, never answered
    try:
        status = check_url(f"http://127.0.0.1:{listener.getsockname()[1]}/simple/", "index-url", timeout=0.5)
    finally:
        listener.close()
    assert not status.reachable and status.kind == "timeout"
    assert status.seconds < 3.0 and "twice" in status.detail


def test_no_index_follows_the_wheels_dependencies(
    user_world: Callable[..., None], cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    """The pin is there but what its wheel requires is not: setup's install would fail just the same."""
    links = tmp_path / "links"
    make_wheel(links, "alpha", "1.0", requires=("beta>=1", "gamma; python_version < '3.0'"))
    user_world(PIP_NO_INDEX="1", PIP_FIND_LINKS=str(links))
    found = findings(cli, "-p", str(tiny_profile(tmp_path)), "--offline")["network.pins-findable"]
    assert found["status"] == "fail" and "beta>=1 (needed by alpha 1.0)" in found["evidence"]
    assert "gamma" not in found["evidence"]  # its marker excludes the target Python
    make_wheel(links, "beta", "1.2")
    assert findings(cli, "-p", str(tiny_profile(tmp_path)), "--offline")["network.pins-findable"]["status"] == "ok"
