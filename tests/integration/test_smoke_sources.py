"""Real data first: the mirror set's `imdb` role is searched, checksum-checked, before any synthetic fallback."""

from __future__ import annotations

import hashlib
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import llmenv.tables.imdb as imdb_table
from llmenv.verify.smoke import data as data_mod
from llmenv.verify.smoke.data import prepare
from tests.unit.smoke.test_data import make_tarball, small_members


@pytest.fixture(autouse=True)
def nothing_local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMENV_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "none"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "none"))
    monkeypatch.delenv("LLMENV_IMDB", raising=False)
    monkeypatch.delenv("HF_ENDPOINT", raising=False)
    with socket.socket() as sock:  # the official host: unreachable, as behind a firewall
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    monkeypatch.setattr(data_mod, "IMDB_URL", f"http://127.0.0.1:{dead}/aclImdb_v1.tar.gz")


@pytest.fixture
def mirror() -> Iterator[tuple[str, dict[str, bytes]]]:
    files: dict[str, bytes] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            body = files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/imdb", files
    server.shutdown()
    server.server_close()


def test_imdb_mirror_is_used_before_falling_back(
    mirror: tuple[str, dict[str, bytes]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, files = mirror
    body = make_tarball(tmp_path / "src.tar.gz", small_members()).read_bytes()
    files["/imdb/aclImdb_v1.tar.gz"] = body
    for module in (data_mod, imdb_table):  # data.py and the mirror download read it
        monkeypatch.setattr(module, "IMDB_SHA256", hashlib.sha256(body).hexdigest())
    prepared = prepare(None, offline=False, mirrors={"imdb": base})
    assert not prepared.synthetic and prepared.source == f"imdb mirror {base}/aclImdb_v1.tar.gz (sha256 verified)"
    assert prepared.train_size == 6 and prepared.test_size == 6


def test_altered_file_on_the_mirror_is_refused_and_the_fallback_says_why(
    mirror: tuple[str, dict[str, bytes]], tmp_path: Path
) -> None:
    base, files = mirror
    files["/imdb/aclImdb_v1.tar.gz"] = make_tarball(tmp_path / "src.tar.gz", small_members()).read_bytes()
    prepared = prepare(None, offline=False, mirrors={"imdb": base})  # the real checksum cannot match
    assert prepared.synthetic and "the IMDB download failed" in prepared.source
    assert any("checksum mismatch" in note for note in prepared.notes), prepared.notes
    assert any("no huggingface mirror set" in note for note in prepared.notes)
    assert not (tmp_path / "cache" / "imdb" / "mirror" / "aclImdb_v1.tar.gz").exists()


def test_huggingface_role_without_pyarrow_is_passed_over_with_a_note(
    mirror: tuple[str, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    if importlib.util.find_spec("pyarrow") is not None:
        pytest.skip("pyarrow is installed here: the parquet path applies instead")
    base, _ = mirror
    monkeypatch.setenv("HF_ENDPOINT", base)  # the huggingface role when the mirror set names none
    prepared = prepare(None, offline=False)
    assert prepared.synthetic
    assert any("needs pyarrow" in note for note in prepared.notes), prepared.notes


def test_imdb_role_given_as_one_url(
    mirror: tuple[str, dict[str, bytes]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The mirrors workflow passes the `imdb` role as `url=`: the full URL of the archive."""
    base, files = mirror
    body = make_tarball(tmp_path / "src.tar.gz", small_members()).read_bytes()
    files["/imdb/aclImdb_v1.tar.gz"] = body
    for module in (data_mod, imdb_table):  # data.py and the mirror download read it
        monkeypatch.setattr(module, "IMDB_SHA256", hashlib.sha256(body).hexdigest())
    prepared = prepare(None, offline=False, url=f"{base}/aclImdb_v1.tar.gz")
    assert not prepared.synthetic and prepared.source.startswith("imdb mirror ")
