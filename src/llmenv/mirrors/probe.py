"""Probe every known mirror set's roles at once, within one budget (about 3 s), for `--mirror auto`.

An answer counts only when it serves what the plan needs: for pypi, the page of a pinned project lists its pinned
version; for pytorch, the pinned build (torch-2.13.0+cpu) is listed and its file link stays on the mirror (since
2026 PyPI's upstream pages link absolute download-r2.pytorch.org URLs, and a mirror that copies them unchanged
sends clients back upstream); for the other roles, any HTTP answer below 500.
"""

from __future__ import annotations

import re
import socket
import time
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit

from llmenv.mirrors.sets import UPSTREAM, MirrorSet
from llmenv.probe.facts import MirrorProbe
from llmenv.redact import redact_text, unencoded_userinfo

if TYPE_CHECKING:
    import ssl

BUDGET = 3.0
MAX_PAGE = 8 * 1024 * 1024
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


@dataclass(frozen=True)
class Wanted:
    """What the plan needs from each role: the variant, and a pinned file to look for."""

    variant: str | None  # cpu, cu126 ... (None: no pytorch role needed)
    torch_file: str | None  # file name prefix of the pinned build, e.g. torch-2.13.0+cpu-
    pypi_project: str | None  # a pinned project served by PyPI, e.g. numpy
    pypi_file: str | None  # its file name prefix, e.g. numpy-2.2.6-
    roles: tuple[str, ...]  # the roles worth probing


def targets(
    sets: dict[str, MirrorSet], wanted: Wanted, configured_pypi: str | None, upstream: bool = True
) -> list[tuple[str, str, str]]:
    """(source, role, url) for upstream (unless `upstream` is False) and every set, for the roles the plan needs."""
    out = []
    for mirror in [UPSTREAM, *sets.values()] if upstream else list(sets.values()):
        for role in wanted.roles:
            url = mirror.url(role, wanted.variant)
            if mirror is UPSTREAM and role == "pypi" and configured_pypi:
                url = configured_pypi  # "upstream" is the user's own configured index
            if url is not None and (role != "pytorch" or wanted.variant):
                out.append((mirror.name, role, url))
    return out


def probe_mirrors(
    sets: dict[str, MirrorSet],
    wanted: Wanted,
    configured_pypi: str | None = None,
    *,
    budget: float = BUDGET,
    cafile: str | None = None,
    local_only: bool = False,
    upstream: bool = True,
) -> list[MirrorProbe]:
    """`local_only`: only the `file://` roles (a folder can be looked at offline); `upstream=False`: the sets only
    (a set the user named is probed to say what it saw, not to be compared)."""
    todo = targets(sets, wanted, configured_pypi, upstream)
    if local_only:
        todo = [(source, role, url) for source, role, url in todo if urlsplit(url).scheme == "file"]
    if not todo:
        return []
    import ssl  # here, not at the top: only `--mirror auto` opens connections (setup imports this module)

    context = ssl.create_default_context(cafile=cafile)
    pool = ThreadPoolExecutor(max_workers=min(16, len(todo)))
    start = time.perf_counter()
    futures = {
        pool.submit(_probe, source, role, url, wanted, sets.get(source), budget, context): (source, role, url)
        for source, role, url in todo
    }
    done, _ = wait(futures, timeout=budget + 0.2)
    pool.shutdown(wait=False, cancel_futures=True)
    results = []
    for future, (source, role, url) in futures.items():
        if future in done and future.exception() is None:
            results.append(future.result())
        else:
            elapsed = time.perf_counter() - start
            results.append(MirrorProbe(source, role, url, False, elapsed, f"no answer within {budget:.0f} s"))
    return results


def _probe(
    source: str,
    role: str,
    url: str,
    wanted: Wanted,
    mirror: MirrorSet | None,
    budget: float,
    context: ssl.SSLContext,
) -> MirrorProbe:
    import urllib.error
    import urllib.request

    start = time.perf_counter()
    problem = unencoded_userinfo(url)
    if problem is not None:  # never let a password's tail be read as the host (a false DNS or port error)
        return MirrorProbe(source, role, url, False, 0.0, f"malformed URL: {problem}")
    flat = mirror is not None and mirror.pytorch_format == "flat"
    if urlsplit(url).scheme == "file":
        return _probe_folder(source, role, url, wanted, flat, start)
    page = url
    if role == "pypi" and wanted.pypi_project:
        page = url.rstrip("/") + f"/{wanted.pypi_project}/"
    elif role == "pytorch" and not flat:
        page = url.rstrip("/") + "/torch/"
    from llmenv.probe.http import opener as http_opener

    opener = http_opener(urllib.request.HTTPSHandler(context=context))  # credentials stay with their origin
    method = "GET" if role in ("pypi", "pytorch") else "HEAD"  # never download an archive to probe it
    from llmenv.door.urls import host_problem

    problem = host_problem(url)
    if problem is not None:
        return MirrorProbe(source, role, url, False, 0.0, f"malformed URL: {problem}")
    from llmenv.probe.http import request as http_request

    try:  # credentials go in a header, as pip and uv send them, never in the URL
        request = http_request(page, {"User-Agent": "llmenv-mirror-probe"}, method)
    except ValueError:  # the message would quote the netloc, password included
        return MirrorProbe(source, role, url, False, 0.0, "malformed URL: its host or port cannot be read")
    try:
        with opener.open(request, timeout=budget) as response:
            final = response.geturl()
            body = _read_until(response, start + budget) if role in ("pypi", "pytorch") else b""
    except urllib.error.HTTPError as exc:
        seconds = time.perf_counter() - start
        ok = exc.code < 400 or (exc.code < 500 and role not in ("pypi", "pytorch"))
        return MirrorProbe(source, role, url, ok, seconds, f"HTTP {exc.code}")
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        detail = redact_text(_plain(reason))
        return MirrorProbe(source, role, url, False, time.perf_counter() - start, detail)
    seconds = time.perf_counter() - start
    if role == "pypi" and wanted.pypi_file:
        ok, detail = _lists(body, final, wanted.pypi_file, same_host=False)
    elif role == "pytorch" and wanted.torch_file:
        ok, detail = _lists(body, final, wanted.torch_file, same_host=source != UPSTREAM.name)
    else:
        ok, detail = True, "answers"
    return MirrorProbe(source, role, url, ok, seconds, detail)


def _probe_folder(source: str, role: str, url: str, wanted: Wanted, flat: bool, start: float) -> MirrorProbe:
    """A `file://` mirror (a share, a USB disk): the same questions, asked of the folder and its file names (or
    its index.html, for a PEP 503 tree written as pages)."""
    from urllib.request import url2pathname

    base = Path(url2pathname(urlsplit(url).path))
    folder = base
    if role == "pypi" and wanted.pypi_project:
        folder = base / wanted.pypi_project
    elif role == "pytorch" and not flat:
        folder = base / "torch"
    prefix = wanted.pypi_file if role == "pypi" else wanted.torch_file if role == "pytorch" else None

    def probe(ok: bool, detail: str) -> MirrorProbe:
        return MirrorProbe(source, role, url, ok, time.perf_counter() - start, detail)

    if not folder.is_dir():
        return probe(False, f"no folder {folder}")
    if prefix is None:
        return probe(True, "a local folder")
    try:
        names = sorted(p.name for p in folder.iterdir())
        page = folder / "index.html"
        body = page.read_bytes()[:MAX_PAGE] if page.is_file() else b""
    except OSError as exc:
        return probe(False, f"cannot list {folder}: {exc.strerror or exc}")
    found = next((n for n in names if n.startswith(prefix)), None)
    if found is not None:
        return probe(True, f"lists {found}")
    if body:
        return probe(*_lists(body, folder.as_uri() + "/", prefix, same_host=False))
    return probe(False, f"lists no {prefix}* file")


def _plain(reason: object) -> str:
    """`[Errno 111] Connection refused` -> `connection refused`, and a DNS failure named as one."""
    if isinstance(reason, socket.gaierror):
        return f"host name does not resolve ({reason.strerror or reason})"
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused (nothing listens on that port)"
    if isinstance(reason, OSError) and reason.strerror:
        return str(reason.strerror)
    return str(reason) or type(reason).__name__


def _read_until(response: Any, deadline: float) -> bytes:
    """Read a page, but stop at the deadline: a server trickling bytes must not hold the probe (or exit) up."""
    chunks: list[bytes] = []
    size = 0
    while size < MAX_PAGE and time.perf_counter() < deadline:
        chunk = response.read(65536)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _lists(body: bytes, page: str, prefix: str, *, same_host: bool) -> tuple[bool, str]:
    """Does the page link a file named `prefix...`, and (for a mirror) does that link stay on the mirror?"""
    text = body.decode("utf-8", "replace")
    host = urlsplit(page).hostname
    wrong_host = None
    for href in _HREF.findall(text):
        link = urljoin(page, href)
        name = unquote(urlsplit(link).path.rsplit("/", 1)[-1])
        if not name.startswith(prefix):
            continue
        link_host = urlsplit(link).hostname
        if same_host and link_host != host:
            wrong_host = link_host
            continue
        return True, f"lists {name}"
    if wrong_host:
        return False, f"its {prefix}* links point back to {wrong_host}, not the mirror"
    return False, f"lists no {prefix}* file"


__all__ = ["BUDGET", "Wanted", "probe_mirrors", "targets"]
