"""A package index over HTTPS on 127.0.0.1 whose certificate has chosen validity dates (not yet valid, expired),
made with the openssl command line (`openssl ca -selfsign` is the one 3.0 command that takes both dates)."""

from __future__ import annotations

import shutil
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

_CONFIG = """[ca]
default_ca = local
[local]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
x509_extensions = leaf
[any]
commonName = supplied
[leaf]
basicConstraints = critical,CA:TRUE
subjectAltName = IP:127.0.0.1,DNS:localhost
keyUsage = digitalSignature,keyCertSign
"""


def certificate(folder: Path, start: str, end: str) -> tuple[Path, Path]:
    """(cert, key) self-signed for 127.0.0.1, valid from `start` to `end` (YYYYMMDDHHMMSSZ)."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make certificates with chosen dates")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "ca.cnf").write_text(_CONFIG)
    (folder / "index.txt").write_text("")
    (folder / "serial").write_text("01\n")
    quiet = {"cwd": folder, "check": True, "capture_output": True}
    subprocess.run(
        ["openssl", "req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "key.pem", "-subj", "/CN=127.0.0.1",
         "-out", "req.pem"], **quiet,  # type: ignore[call-overload]
    )  # fmt: skip
    subprocess.run(
        ["openssl", "ca", "-batch", "-config", "ca.cnf", "-selfsign", "-keyfile", "key.pem", "-in", "req.pem",
         "-out", "cert.pem", "-startdate", start, "-enddate", end, "-notext"], **quiet,  # type: ignore[call-overload]
    )  # fmt: skip
    return folder / "cert.pem", folder / "key.pem"


class _Index(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'<html><body><a href="alpha/">alpha</a></body></html>'
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def https_index(cert: Path, key: Path) -> Iterator[str]:
    """Serve a one-project PEP 503 page over TLS; yields its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Index)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/simple/"
    finally:
        server.shutdown()
        server.server_close()
