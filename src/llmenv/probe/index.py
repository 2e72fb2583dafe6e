"""Can the configured package indexes be reached? Short timeouts, and the failure classified into something a
user can act on: DNS, refused, timeout, TLS certificate (proxy interception), proxy authentication, credentials."""

from __future__ import annotations

import base64
import http.client
import socket
import ssl
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from llmenv.redact import Secret

PYPI = "https://pypi.org/simple/"
TIMEOUT = 3.0


@dataclass(frozen=True)
class IndexStatus:
    url: Secret
    role: str  # index-url, extra-index-url, find-links, variant
    reachable: bool
    kind: str  # ok, dns, refused, timeout, certificate, proxy-auth, auth, http, missing, error
    detail: str
    seconds: float


def check_url(
    url: str, role: str, *, timeout: float = TIMEOUT, cafile: str | None = None, proxy: str | None = None
) -> IndexStatus:
    start = time.perf_counter()
    parts = urlsplit(url)
    if parts.scheme in ("", "file"):
        path = Path(parts.path if parts.scheme == "file" else url)
        ok = path.exists()
        return IndexStatus(
            Secret(url), role, ok, "ok" if ok else "missing", "local folder" if ok else f"{path} does not exist", 0.0
        )
    if parts.scheme not in ("http", "https"):
        return IndexStatus(Secret(url), role, False, "error", f"unsupported scheme '{parts.scheme}'", 0.0)
    headers = {"User-Agent": "llmenv-doctor"}
    if parts.username is not None:
        token = f"{parts.username}:{parts.password or ''}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(token).decode()
        netloc = parts.hostname or ""
        if parts.port:
            netloc += f":{parts.port}"
        parts = parts._replace(netloc=netloc)
    request = urllib.request.Request(urlunsplit(parts), headers=headers, method="HEAD")
    handlers: list[urllib.request.BaseHandler] = [
        urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=cafile))
    ]
    if proxy:
        handlers.append(urllib.request.ProxyHandler({"http": proxy, "https": proxy}))
    opener = urllib.request.build_opener(*handlers)
    kind, detail, reachable = "ok", "", True
    try:
        with opener.open(request, timeout=timeout) as response:
            detail = f"HTTP {response.status}"
    except urllib.error.HTTPError as exc:
        reachable, kind, detail = _http_error(exc.code)
    except urllib.error.URLError as exc:
        reachable = False
        kind, detail = _reason(exc.reason)
    except TimeoutError:
        reachable, kind, detail = False, "timeout", f"no answer within {timeout:.0f} s"
    except (OSError, http.client.HTTPException, ValueError) as exc:
        reachable, kind, detail = False, "error", str(exc)
    return IndexStatus(Secret(url), role, reachable, kind, detail, time.perf_counter() - start)


def _http_error(code: int) -> tuple[bool, str, str]:
    if code == 407:
        return False, "proxy-auth", "HTTP 407: the proxy wants credentials"
    if code in (401, 403):
        return False, "auth", f"HTTP {code}: the index refused our credentials (or has none)"
    if code >= 500:
        return False, "http", f"HTTP {code}: the index is failing"
    # 404/405 on HEAD of an index root still proves a server answers there.
    return True, "ok", f"HTTP {code}"


def _reason(reason: object) -> tuple[str, str]:
    if isinstance(reason, ssl.SSLCertVerificationError):
        return "certificate", f"TLS certificate not trusted ({reason.verify_message})"
    if isinstance(reason, ssl.SSLError):
        return "certificate", f"TLS error ({reason})"
    if isinstance(reason, socket.gaierror):
        return "dns", f"host name does not resolve ({reason.strerror})"
    if isinstance(reason, ConnectionRefusedError):
        return "refused", "connection refused"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "timeout", "no answer in time"
    return "error", str(reason)


def check_all(
    targets: list[tuple[str, str]], *, timeout: float = TIMEOUT, cafile: str | None = None, proxy: str | None = None
) -> list[IndexStatus]:
    if not targets:
        return []
    with ThreadPoolExecutor(max_workers=min(8, len(targets))) as pool:
        return list(pool.map(lambda t: check_url(t[0], t[1], timeout=timeout, cafile=cafile, proxy=proxy), targets))


__all__ = ["PYPI", "IndexStatus", "check_all", "check_url"]
