"""Can the configured package indexes be reached, and are they package indexes? Short timeouts, and the failure
classified into something a user can act on: DNS, refused, timeout, TLS certificate (proxy interception), proxy
authentication, credentials, no index there (HTTP 404), or a page that is not a package index (a captive portal,
a web server's welcome page, a mistyped path).

An index is judged by its first bytes only (PyPI's /simple/ page is tens of MB): a PEP 503 page has links to
projects (`<a href=...>`) or PEP 629's `pypi:repository-version` meta tag; a PEP 691 answer is JSON with `meta`.
A find-links location is listed: its archives (wheels, sdists) are what `--no-index` installs can use."""

from __future__ import annotations

import dataclasses
import os
import re
import socket
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from llmenv.door.files import Kind
from llmenv.probe.proxy import ProxySetting, proxy_for
from llmenv.redact import Secret, unencoded_userinfo

PYPI = "https://pypi.org/simple/"
_INDEX_PAGE = Kind("package index page", 8 * 2**20, "check the index URL (a PEP 691 project page)")
TIMEOUT = 3.0
HEAD_BYTES = 65536  # enough of any index page to tell what it is
ARCHIVE = re.compile(r"\.(whl|tar\.gz|zip|tar\.bz2|tgz)$", re.IGNORECASE)
_HREF = re.compile(r"""<a\s[^>]*href\s*=\s*["']?([^"' >]+)""", re.IGNORECASE)
ACCEPT = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.1"


@dataclass(frozen=True)
class IndexStatus:
    url: Secret
    role: str  # index-url, extra-index-url, find-links, variant
    reachable: bool
    kind: str  # ok, dns, refused, timeout, certificate, clock, proxy, proxy-auth, auth, http, missing, not-index, error
    detail: str
    seconds: float
    files: tuple[str, ...] | None = None  # find-links: the archive names there (None when not listed)
    requires: tuple[tuple[str, tuple[str, ...]], ...] = ()  # local wheels: (file name, its Requires-Dist lines)
    via: tuple[str, str] | None = None  # (the proxy and where it was set, how to turn it off) when one is used
    sizes: tuple[tuple[str, int], ...] = ()  # (file name, bytes) where the listing says (PEP 691 JSON)


def check_url(
    url: str,
    role: str,
    *,
    timeout: float = TIMEOUT,
    cafile: str | None = None,
    proxy: str | None = None,
    requires: bool = False,
    proxy_origin: str = "pip configuration",
) -> IndexStatus:
    """`requires`: also read each local wheel's Requires-Dist (0.5 s for a torch wheel: only under no-index).

    A timeout is asked once more: one stalled connection is not an unreachable index (doctor once failed PyPI as
    "unreachable (timeout)" and reached it in 0.17 s in the same run). Two tries stay within the host probe's
    8 s; a DNS failure or a refusal is final at once."""
    setting = proxy_for(url, os.environ, (proxy, proxy_origin) if proxy else None)
    first = _check_once(url, role, timeout=timeout, cafile=cafile, proxy=setting, requires=requires)
    if first.kind != "timeout":
        return first
    again = _check_once(url, role, timeout=timeout, cafile=cafile, proxy=setting, requires=requires)
    seconds = first.seconds + again.seconds
    if again.kind == "timeout":
        return dataclasses.replace(again, detail=f"no answer within {timeout:g} s, twice", seconds=seconds)
    return dataclasses.replace(again, seconds=seconds)


def _check_once(
    url: str,
    role: str,
    *,
    timeout: float,
    cafile: str | None,
    proxy: ProxySetting | None,
    requires: bool,
) -> IndexStatus:
    start = time.perf_counter()
    # The network modules (http.client, ssl, urllib.request: about 15 ms) are imported here, not at the top: setup and
    # an offline doctor import this module for its constants and never open a connection.
    import http.client
    import ssl
    import urllib.error
    import urllib.request

    parts = urlsplit(url)
    if parts.scheme in ("", "file"):
        return _check_local(url, Path(parts.path if parts.scheme == "file" else url), role, requires)
    if parts.scheme not in ("http", "https"):
        return IndexStatus(Secret(url), role, False, "error", f"unsupported scheme '{parts.scheme}'", 0.0)
    from llmenv.door.urls import host_problem

    problem = unencoded_userinfo(url) or host_problem(url)
    if problem is not None:  # urllib would read the password's tail as the port ("nonnumeric port: '<secret>'")
        return IndexStatus(Secret(url), role, False, "error", f"malformed URL: {problem}", 0.0)
    from llmenv.probe.http import request as http_request

    request = http_request(url, {"User-Agent": "llmenv-doctor", "Accept": ACCEPT})
    handlers: list[urllib.request.BaseHandler] = [
        urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=cafile))
    ]
    # Always an explicit ProxyHandler: the proxy judged below is the one used (urllib alone ignores ALL_PROXY).
    address = proxy.url.reveal() if proxy else None
    handlers.append(urllib.request.ProxyHandler({"http": address, "https": address} if address else {}))
    from llmenv.probe.http import opener as http_opener

    opener = http_opener(*handlers)  # credentials stay with their origin on a redirect
    kind, detail, reachable = "ok", "", True
    files: tuple[str, ...] | None = None
    sizes: tuple[tuple[str, int], ...] = ()
    try:
        with opener.open(request, timeout=timeout) as response:
            # A find-links page is read whole (up to 8 MB): its archive names are what doctor checks the pins by.
            limit = HEAD_BYTES if role != "find-links" else 8 * 2**20
            head = read_bounded(response, limit, time.perf_counter() + timeout)
            content_type = response.headers.get("Content-Type", "")
            kind, detail, files = judge_page(head, content_type, role)
            if files and "json" in content_type.lower():
                sizes = tuple((name, size) for name, size in json_files(head) if size is not None)
            reachable = kind == "ok"
            detail = f"HTTP {response.status}, {detail}"
    except urllib.error.HTTPError as exc:
        reachable, kind, detail = _http_error(exc.code)
    except urllib.error.URLError as exc:
        reachable = False
        kind, detail = _reason(exc.reason)
    except TimeoutError:
        reachable, kind, detail = False, "timeout", f"no answer within {timeout:g} s"
    except (OSError, http.client.HTTPException, ValueError) as exc:
        reachable, kind, detail = False, "error", str(exc)
        if proxy and "407" in detail:
            kind = "proxy-auth"
    via = (proxy.describe(), proxy.unset_hint()) if proxy else None
    if proxy and kind in ("refused", "dns", "timeout", "error"):
        # Every request went to the proxy: its failure is not the index's (a dead proxy once read as
        # "pypi.org ... nothing listens there").
        kind, detail = "proxy", f"{proxy.describe()} failed: {detail}"
    seconds = time.perf_counter() - start
    return IndexStatus(Secret(url), role, reachable, kind, detail, seconds, files, via=via, sizes=sizes)


def read_bounded(response: Any, limit: int, deadline: float) -> bytes:
    """At most `limit` bytes, and no reading past `deadline`: a server dripping its page a byte at a time must not
    hold doctor (each read is already bounded by the socket timeout)."""
    data = bytearray()
    while len(data) < limit and time.perf_counter() < deadline:
        chunk = response.read1(min(65536, limit - len(data)))
        if not chunk:
            break
        data += chunk
    return bytes(data)


def judge_page(head: bytes, content_type: str, role: str) -> tuple[str, str, tuple[str, ...] | None]:
    """(kind, detail, archives) for the first bytes of an index or find-links page. Pure, so recorded pages test it."""
    text = head.decode("utf-8", errors="replace")
    if "json" in content_type.lower():
        if role == "find-links" and ('"meta"' in text[:4096] or '"files"' in text[:4096]):
            # A project page (`<index>/<project>/`, read whole): PyPI puts "files" first and "meta" last.
            listed = tuple(name for name, _size in json_files(head))
            return "ok", f"a PEP 691 project page, {len(listed)} files", listed
        if '"meta"' in text[:4096]:
            return "ok", "a PEP 691 package index", None
        return "not-index", f"JSON that is not a package index ({content_type})", None
    links = list(_HREF.findall(text))
    archives = tuple(
        dict.fromkeys(unquote(os.path.basename(urlsplit(h).path)) for h in links if ARCHIVE.search(urlsplit(h).path))
    )
    if role == "find-links":
        return "ok", f"{len(archives)} archives listed", archives
    if links or "pypi:repository-version" in text:
        return "ok", "a package index", None
    what = content_type.split(";")[0].strip() or "a page"
    return "not-index", f"{what} without any project links: not a PEP 503 package index", None


def json_files(body: bytes) -> tuple[tuple[str, int | None], ...]:
    """(file name, size) of a PEP 691 project page, read through the door (bounded depth, no duplicate keys, finite
    numbers); a page that does not parse lists nothing. Pure."""
    from llmenv.door.jsondoc import parse_json
    from llmenv.errors import InputError

    try:
        page = parse_json(body.decode("utf-8", errors="replace"), "index page", _INDEX_PAGE)
    except InputError:
        return ()
    files = page.get("files") if isinstance(page, dict) else None
    out: list[tuple[str, int | None]] = []
    for entry in files if isinstance(files, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("filename"), str):
            size = entry.get("size")
            ok = isinstance(size, int) and not isinstance(size, bool) and size >= 0
            out.append((entry["filename"], size if ok else None))
    return tuple(out)


def project_page(
    index: str, project: str, *, timeout: float = TIMEOUT, cafile: str | None = None, proxy: str | None = None
) -> IndexStatus:
    """The archives an index offers for one project (`<index>/<project>/`), as a find-links-like status with role
    `project`: what doctor uses to tell whether the configured indexes can stand in for an unreachable variant
    index. A local (file://) index is listed from its folder."""
    parts = urlsplit(index)
    if parts.scheme in ("", "file"):
        folder = Path(parts.path if parts.scheme == "file" else index) / project
        page = folder / "index.html"
        if page.is_file():
            _kind, _detail, files = judge_page(page.read_bytes(), "text/html", "find-links")
            return IndexStatus(Secret(str(folder)), "project", True, "ok", "local index page", 0.0, files)
        status = _check_local(str(folder), folder, "find-links")
        return IndexStatus(status.url, "project", status.reachable, status.kind, status.detail, 0.0, status.files or ())
    status = check_url(index.rstrip("/") + f"/{project}/", "find-links", timeout=timeout, cafile=cafile, proxy=proxy)
    return dataclasses.replace(status, role="project")


def _check_local(url: str, path: Path, role: str, with_requires: bool = False) -> IndexStatus:
    if not path.exists():
        return IndexStatus(Secret(url), role, False, "missing", f"{path} does not exist", 0.0)
    if role == "find-links":
        if path.is_file():
            return IndexStatus(Secret(url), role, True, "ok", "a local file", 0.0, (path.name,))
        try:
            names = tuple(sorted(n for n in os.listdir(path) if ARCHIVE.search(n)))
        except OSError as exc:
            return IndexStatus(Secret(url), role, False, "error", f"cannot list {path}: {exc}", 0.0)
        wheels = [n for n in names if n.endswith(".whl")] if with_requires else []
        requires = tuple((n, wheel_requires(path / n)) for n in wheels)
        detail = f"local folder, {len(names)} archives"
        return IndexStatus(Secret(url), role, True, "ok", detail, 0.0, names, requires)
    if path.is_dir() and not (path / "index.html").is_file() and not any(p.is_dir() for p in path.iterdir()):
        return IndexStatus(Secret(url), role, False, "not-index", f"{path} has no project folders", 0.0)
    return IndexStatus(Secret(url), role, True, "ok", "local folder", 0.0)


def wheel_requires(wheel: Path) -> tuple[str, ...]:
    """A wheel's Requires-Dist lines, from its METADATA (the zip's directory and one member: fast even for a
    700 MB torch wheel). A wheel that cannot be read has none: the install reports it better than we can."""
    try:
        with zipfile.ZipFile(wheel) as archive:
            member = next((n for n in archive.namelist() if n.endswith(".dist-info/METADATA")), None)
            if member is None:
                return ()
            text = archive.read(member).decode("utf-8", errors="replace")
    except (OSError, zipfile.BadZipFile, ValueError):
        return ()
    import email.parser

    headers = email.parser.HeaderParser().parsestr(text.split("\n\n", 1)[0])
    return tuple(headers.get_all("Requires-Dist") or ())


def _http_error(code: int) -> tuple[bool, str, str]:
    if code == 407:
        return False, "proxy-auth", "HTTP 407: the proxy wants credentials"
    if code in (401, 403):
        return False, "auth", f"HTTP {code}: the index refused our credentials (or has none)"
    if code >= 500:
        return False, "http", f"HTTP {code}: the index is failing"
    if code == 404:
        return False, "not-index", "HTTP 404: nothing is served at this URL, so no package index is there"
    return False, "http", f"HTTP {code}: the server refuses to list this index"


# OpenSSL's X509_V_ERR_CERT_NOT_YET_VALID (9) and X509_V_ERR_CERT_HAS_EXPIRED (10): judged by this machine's clock.
CLOCK_CODES = (9, 10)


def clock_detail(message: str) -> str:
    """The certificate's verdict with the clock it was judged by (a wrong clock is the usual cause, not a proxy)."""
    now = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return f"TLS certificate rejected: {message}, judged by this machine's clock ({now})"


def _reason(reason: object) -> tuple[str, str]:
    import ssl

    if isinstance(reason, ssl.SSLCertVerificationError):
        if reason.verify_code in CLOCK_CODES:
            return "clock", clock_detail(reason.verify_message)
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
    targets: list[tuple[str, str]],
    *,
    timeout: float = TIMEOUT,
    cafile: str | None = None,
    proxy: str | None = None,
    local_only: bool = False,
    requires: bool = False,
    proxy_origin: str = "pip configuration",
) -> list[IndexStatus]:
    """`local_only` (--offline): folders are still listed, nothing goes to the network."""
    if local_only:
        targets = [t for t in targets if urlsplit(t[0]).scheme in ("", "file")]
    if not targets:
        return []
    with ThreadPoolExecutor(max_workers=min(8, len(targets))) as pool:
        return list(
            pool.map(
                lambda t: check_url(
                    t[0],
                    t[1],
                    timeout=timeout,
                    cafile=cafile,
                    proxy=proxy,
                    requires=requires,
                    proxy_origin=proxy_origin,
                ),
                targets,
            )
        )


__all__ = ["ARCHIVE", "PYPI", "IndexStatus", "check_all", "check_url", "json_files", "judge_page", "project_page"]
