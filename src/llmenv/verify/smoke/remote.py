"""Real IMDB reviews through the chosen mirror set, tried before the official host and before any fallback.

Roles (the mirror set's names): `imdb` serves the official files (`aclImdb_v1.tar.gz`, Keras `imdb.npz`) under one
base URL, or is the URL of one of them; `huggingface` is a Hugging Face endpoint serving the dataset repository
`stanfordnlp/imdb`. Every file is checked against its published sha256, so a mirror cannot change the data. The
Hugging Face copy is parquet; reading it needs pyarrow on llmenv's own Python, and without it the role is passed
over with a note rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

from llmenv.verify.smoke.download import DownloadError, download

ACLIMDB = "aclImdb_v1.tar.gz"
NPZ = "imdb.npz"
HF_FILES = "datasets/stanfordnlp/imdb/resolve/main/plain_text/{split}-00000-of-00001.parquet"
Progress = Callable[[int, int | None], None]


def _imdb_urls(url: str) -> list[tuple[str, str]]:
    from llmenv.tables.imdb import IMDB_SHA256, KERAS_NPZ_SHA256

    known = {ACLIMDB: IMDB_SHA256, NPZ: KERAS_NPZ_SHA256}
    name = url.rstrip("/").rsplit("/", 1)[-1]
    if name in known:
        return [(url, name)]
    return [(f"{url.rstrip('/')}/{file}", file) for file in known]


def from_mirrors(
    roles: Mapping[str, str], cache: Path, notes: list[str], progress: Progress | None = None
) -> tuple[Path, str] | None:
    """(file, source label) of real reviews from the mirror set, or None with the reasons appended to `notes`."""
    from llmenv.tables.imdb import IMDB_SHA256, KERAS_NPZ_SHA256

    sums = {ACLIMDB: IMDB_SHA256, NPZ: KERAS_NPZ_SHA256}
    imdb = roles.get("imdb")
    if imdb:
        for url, name in _imdb_urls(imdb):
            try:
                path = download(url, cache / "mirror" / name, sums[name], timeout=15.0, progress=progress)
            except DownloadError as exc:
                notes.append(f"imdb mirror: {exc.what}")
                continue
            return path, f"imdb mirror {url} (sha256 verified)"
    else:
        notes.append("no imdb mirror set")
    endpoint = roles.get("huggingface")
    if endpoint:
        found = _from_hub(endpoint.rstrip("/"), cache, notes, progress)
        if found is not None:
            return found
    else:
        notes.append("no huggingface mirror set (HF_ENDPOINT)")
    return None


def _from_hub(endpoint: str, cache: Path, notes: list[str], progress: Progress | None) -> tuple[Path, str] | None:
    try:
        import pyarrow.parquet as parquet  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        notes.append(f"huggingface mirror {endpoint}: reading its parquet files needs pyarrow on llmenv's Python")
        return None
    import csv

    out = cache / "mirror" / "hf-stanfordnlp-imdb.csv"
    if out.is_file():
        return out, f"huggingface mirror {endpoint}: stanfordnlp/imdb"
    rows: list[tuple[str, str, int]] = []
    for split in ("train", "test"):
        url = f"{endpoint}/{HF_FILES.format(split=split)}"
        target = cache / "mirror" / f"hf-{split}.parquet"
        try:
            _fetch_unchecked(url, target, progress)
            table = parquet.read_table(target, columns=["text", "label"]).to_pydict()
        except (DownloadError, OSError, ValueError, KeyError) as exc:
            notes.append(f"huggingface mirror: {url}: {exc}")
            return None
        rows += [(split, text, int(label)) for text, label in zip(table["text"], table["label"], strict=True)]
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["split", "text", "label"])
        writer.writerows(rows)
    return out, f"huggingface mirror {endpoint}: stanfordnlp/imdb (parquet; no published checksum)"


def _fetch_unchecked(url: str, target: Path, progress: Progress | None) -> None:
    """The hub publishes no stable checksum for these files: fetched whole, and labelled as unchecked."""
    import urllib.error
    import urllib.request

    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        from llmenv.probe.http import opener, request

        with opener().open(request(url, {"User-Agent": "llmenv"}), timeout=15) as r:
            target.write_bytes(r.read())
    except ValueError:  # a port that is not a number; the message would quote the password
        raise DownloadError(f"{url} is not a valid URL: its host or port cannot be read", where=url) from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DownloadError(f"downloading {url} failed ({exc})", where=url) from None
    if progress:
        progress(target.stat().st_size, target.stat().st_size)


__all__ = ["from_mirrors"]
