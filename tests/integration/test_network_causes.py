"""Doctor and setup name the real cause of a network failure: a dead proxy (and where it was set) rather than the
index behind it, and a certificate rejected by this machine's clock rather than a company CA.

Before the fix: `HTTPS_PROXY=http://127.0.0.1:9` read as "pypi.org ... unreachable (refused): nothing listens
there", and a not-yet-valid certificate as "a proxy is intercepting TLS: point SSL_CERT_FILE at your company CA"."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from llmenv.probe.index import check_url
from tests.conftest import CliResult
from tests.helpers.index_server import IndexServer, serve
from tests.helpers.tls import certificate, https_index
from tests.helpers.wheels import make_wheel
from tests.integration.test_setup import profile, use_index

DEAD_PROXY = "http://127.0.0.1:9"
PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "HTTP_PROXY", "http_proxy", "NO_PROXY")


@pytest.fixture(autouse=True)
def no_proxy_from_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*PROXY_VARIABLES, "no_proxy"):
        monkeypatch.delenv(name, raising=False)


def _index_finding(out: str) -> dict[str, str]:
    return next(f for f in json.loads(out)["findings"] if f["id"] == "network.index.index-url")


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"])
def test_doctor_names_a_dead_proxy_variable(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    use_index("https://pypi.org/simple/", tmp_path, monkeypatch)
    monkeypatch.setenv(variable, DEAD_PROXY)
    finding = _index_finding(cli("doctor", "--json").out)
    assert finding["status"] == "fail" and "proxy" in finding["title"]
    assert "127.0.0.1:9" in finding["evidence"] and f"set by {variable}" in finding["evidence"]
    assert f"unset {variable}" in finding["fix"] and "nothing listens" not in finding["fix"]


def test_doctor_names_pips_proxy_setting(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "pip.conf"
    config.write_text(f"[global]\nindex-url = https://pypi.org/simple/\nproxy = {DEAD_PROXY}\n")
    monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:10")  # pip's own setting wins over the variable
    finding = _index_finding(cli("doctor", "--json").out)
    assert "127.0.0.1:9" in finding["evidence"] and str(config) in finding["evidence"]
    assert "remove pip's proxy setting" in finding["fix"]


def test_no_proxy_exempts_the_index(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    folder = tmp_path / "wheels"
    make_wheel(folder, "alpha", "1.0")
    with serve(IndexServer(folder)) as server:
        monkeypatch.setenv("HTTP_PROXY", DEAD_PROXY)
        monkeypatch.setenv("NO_PROXY", "localhost,127.0.0.1")
        assert check_url(server.url, "index-url").reachable


def test_setup_blames_the_proxy_not_the_index(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "wheels"
    make_wheel(folder, "alpha", "1.0")
    with serve(IndexServer(folder)) as server:
        use_index(server.url, tmp_path, monkeypatch)
        monkeypatch.setenv("HTTP_PROXY", DEAD_PROXY)
        monkeypatch.setenv("UV_HTTP_RETRIES", "0")  # honoured by llmenv's uv: the test need not wait for retries
        result = cli("setup", str(profile(tmp_path, "alpha==1.0")), "--env", str(tmp_path / "env"), "--backend", "uv")
    assert result.code == 4
    assert "127.0.0.1:9 (set by HTTP_PROXY)" in result.err and "unset HTTP_PROXY" in result.err
    assert "--mirror" not in result.err


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [("20990101000000Z", "21000101000000Z", "not yet valid"), ("20000101000000Z", "20010101000000Z", "expired")],
)
def test_certificate_outside_its_dates_points_at_the_clock(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, start: str, end: str, words: str
) -> None:
    cert, key = certificate(tmp_path / "tls", start, end)
    with https_index(cert, key) as url:
        config = tmp_path / "pip.conf"
        config.write_text(f"[global]\nindex-url = {url}\ncert = {cert}\n")  # the CA is configured: not the cause
        monkeypatch.setenv("PIP_CONFIG_FILE", str(config))
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        monkeypatch.delenv("PIP_CERT", raising=False)  # this machine's; users' shells do not have it
        finding = _index_finding(cli("doctor", "--json").out)
    assert finding["status"] == "fail" and "clock" in finding["title"], finding["evidence"]
    assert words in finding["evidence"] and "this machine's clock" in finding["evidence"]
    assert "check the system clock" in finding["fix"] and "company CA" not in finding["fix"]


def test_a_valid_certificate_is_reachable(tmp_path: Path) -> None:
    """The stand-in server itself works: the failures above are the dates, nothing else."""
    cert, key = certificate(tmp_path / "tls", "20200101000000Z", "20990101000000Z")
    with https_index(cert, key) as url:
        status = check_url(url, "index-url", cafile=str(cert))
    assert status.reachable, status.detail


def test_setup_with_a_certificate_outside_its_dates_points_at_the_clock(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cert, key = certificate(tmp_path / "tls", "20000101000000Z", "20010101000000Z")
    with https_index(cert, key) as url:
        use_index(url, tmp_path, monkeypatch)
        monkeypatch.setenv("SSL_CERT_FILE", str(cert))
        result = cli("setup", str(profile(tmp_path, "alpha==1.0")), "--env", str(tmp_path / "env"), "--backend", "uv")
    assert result.code == 4
    assert "certificate expired" in result.err and "check the system clock" in result.err
    assert "--mirror" not in result.err
