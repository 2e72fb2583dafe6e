"""Download with a known checksum, resumable, with progress: the official aclImdb_v1.tar.gz (about 84 MB).

The partial file lives beside the target as `<name>.part`; a later call continues it with an HTTP Range request.
Nothing reaches the final name until its SHA-256 matches, and a mismatch deletes the partial file.
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from llmenv.digest import sha256_of
from llmenv.errors import DownloadError

CHUNK = 1 << 16


def download(
    url: str,
    target: Path,
    sha256: str,
    *,
    timeout: float = 30.0,
    progress: Callable[[int, int | None], None] | None = None,
) -> Path:
    if target.is_file() and sha256_of(target) == sha256:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(target.name + ".part")
    have = part.stat().st_size if part.exists() else 0
    from llmenv.probe.http import opener
    from llmenv.probe.http import request as http_request

    try:
        request = http_request(url, {"User-Agent": "llmenv"})
    except ValueError:  # a port that is not a number; the message would quote the password
        raise DownloadError(f"{url} is not a valid URL: its host or port cannot be read", where=url) from None
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        with opener().open(request, timeout=timeout) as response:
            status = response.status
            if have and status != 206:
                have = 0  # the server ignored the range: start over
            length = response.headers.get("Content-Length")
            total = int(length) + have if length and length.isdigit() else None
            with part.open("ab" if have else "wb") as out:
                done = have
                while block := response.read(CHUNK):
                    out.write(block)
                    done += len(block)
                    if progress:
                        progress(done, total)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DownloadError(
            f"downloading {url} failed ({exc}); {part.stat().st_size if part.exists() else 0} bytes kept for resuming",
            where=str(part),
            fix="run the command again to resume, or pass a local copy with --data / LLMENV_IMDB",
        ) from None
    actual = sha256_of(part)
    if actual != sha256:
        part.unlink(missing_ok=True)
        raise DownloadError(
            f"checksum mismatch for {url}: expected sha256 {sha256}, got {actual}; the file was deleted",
            where=str(target),
            fix="retry; if it persists, something between you and the server alters the file (a proxy?)",
        )
    os.replace(part, target)
    return target


__all__ = ["DownloadError", "download"]
