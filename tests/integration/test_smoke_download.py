"""Downloading the IMDB archive from a local HTTP server on 127.0.0.1 (sockets: not a unit test)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import llmenv.tables.imdb as imdb_table
from llmenv.verify.smoke import data as data_mod
from llmenv.verify.smoke.data import prepare
from llmenv.verify.smoke.download import DownloadError, download
from tests.unit.smoke.test_data import make_tarball, small_members


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LLMENV_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


# --- download from a local HTTP server ---------------------------------------------------------------------------


@pytest.fixture
def http(tmp_path: Path) -> Iterator[tuple[str, dict[str, bytes], list[str]]]:
    files: dict[str, bytes] = {}
    ranges: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            body = files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            start = 0
            if self.headers.get("Range"):
                ranges.append(self.headers["Range"])
                start = int(self.headers["Range"].split("=")[1].rstrip("-"))
                self.send_response(206)
            else:
                self.send_response(200)
            self.send_header("Content-Length", str(len(body) - start))
            self.end_headers()
            self.wfile.write(body[start:])

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", files, ranges
    server.shutdown()
    server.server_close()


def test_download_verifies_checksum_and_resumes(http: tuple[str, dict[str, bytes], list[str]], tmp_path: Path) -> None:
    base, files, ranges = http
    body = make_tarball(tmp_path / "src.tar.gz", small_members()).read_bytes()
    files["/aclImdb_v1.tar.gz"] = body
    target = tmp_path / "dl" / "aclImdb_v1.tar.gz"
    target.parent.mkdir()
    (target.parent / "aclImdb_v1.tar.gz.part").write_bytes(body[:100])  # an earlier, interrupted download
    seen: list[int] = []
    download(
        f"{base}/aclImdb_v1.tar.gz", target, hashlib.sha256(body).hexdigest(), progress=lambda d, t: seen.append(d)
    )
    assert target.read_bytes() == body and ranges == ["bytes=100-"] and seen[-1] == len(body)
    assert not (target.parent / "aclImdb_v1.tar.gz.part").exists()


def test_download_with_wrong_checksum_is_refused_and_removed(
    http: tuple[str, dict[str, bytes], list[str]], tmp_path: Path
) -> None:
    base, files, _ = http
    files["/aclImdb_v1.tar.gz"] = b"not the real archive"
    target = tmp_path / "aclImdb_v1.tar.gz"
    with pytest.raises(DownloadError, match="checksum mismatch"):
        download(f"{base}/aclImdb_v1.tar.gz", target, "0" * 64)
    assert not target.exists() and not target.with_name(target.name + ".part").exists()


def test_prepare_downloads_the_official_archive_when_online(
    http: tuple[str, dict[str, bytes], list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: Path
) -> None:
    base, files, _ = http
    body = make_tarball(tmp_path / "src.tar.gz", small_members()).read_bytes()
    files["/aclImdb_v1.tar.gz"] = body
    monkeypatch.setattr(data_mod, "IMDB_URL", f"{base}/aclImdb_v1.tar.gz")
    for module in (data_mod, imdb_table):  # data.py and the mirror download read it
        monkeypatch.setattr(module, "IMDB_SHA256", hashlib.sha256(body).hexdigest())
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "none"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "none"))
    prepared = prepare(None, offline=False)
    assert prepared.source.startswith("downloaded ") and (cache / "imdb" / "aclImdb_v1.tar.gz").read_bytes() == body
    # The next run finds it in llmenv's cache without downloading.
    files.clear()
    assert prepare(None, offline=False).source.startswith("llmenv cache:")


def test_unreachable_download_falls_back_to_labelled_synthetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr(data_mod, "IMDB_URL", f"http://127.0.0.1:{port}/aclImdb_v1.tar.gz")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "none"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "none"))
    prepared = prepare(None, offline=False)
    assert prepared.synthetic and "the IMDB download failed" in prepared.source
