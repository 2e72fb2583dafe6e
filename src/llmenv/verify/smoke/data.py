"""Finding and preparing the IMDB data for the smoke test, on the host side.

Loading happens here rather than in the runner so that one implementation (formats, download, checksum, safe
archive reading, caching) serves every framework, the target env needs no network and no extra packages, and the
runner only reads one prepared file. Sources, in order: --data, $LLMENV_IMDB, llmenv's cache, the Keras and Hugging
Face caches, the official download (checksummed), and offline with none of these a clearly labelled synthetic set.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import random
import tarfile
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from llmenv.digest import sha256_of
from llmenv.door.files import CACHE, decode, read_text
from llmenv.door.jsondoc import Fields, parse_json
from llmenv.errors import DataError, InputError
from llmenv.tables.imdb import IMDB_SHA256, IMDB_URL, KERAS_NPZ_SHA256
from llmenv.verify.smoke import synthetic
from llmenv.verify.smoke.download import DownloadError, download
from llmenv.verify.smoke.readers import check_npz, read_csv, read_folder, read_tarball

MAX_TRAIN = 5000  # per run, stratified and seeded: the full 25,000 would take minutes per epoch on 2 cores
MAX_TEST = 2000
BUNDLE_DATA = "bundle"  # under cache_dir(): real reviews carried by a bundle


@dataclass(frozen=True)
class Prepared:
    path: Path  # the file the runner reads
    kind: str  # "texts" (prepared JSON) or "npz" (Keras token ids)
    source: str  # where the data came from, for the report
    synthetic: bool
    train_size: int
    test_size: int
    notes: tuple[str, ...] = ()  # sources looked at and passed over, for the fallback notice


def cache_dir() -> Path:
    from llmenv.paths import cache_root

    return cache_root() / "imdb"


# --- discovery ----------------------------------------------------------------------------------------------------


def _candidates(notes: list[str]) -> list[tuple[str, Path]]:
    home = Path.home()
    keras = Path(os.environ.get("KERAS_HOME") or home / ".keras") / "datasets"
    hf = Path(
        os.environ.get("HF_DATASETS_CACHE")
        or Path(os.environ.get("HF_HOME") or home / ".cache" / "huggingface") / "datasets"
    )
    found: list[tuple[str, Path]] = [
        ("llmenv cache", cache_dir() / "aclImdb_v1.tar.gz"),
        ("Keras cache", keras / "aclImdb_v1.tar.gz"),
        ("Keras cache", keras / "aclImdb"),
    ]
    npz = keras / "imdb.npz"
    if npz.is_file():
        # Keras's own file is trusted only when it is the published one: a truncated download would train on junk.
        if sha256_of(npz) == KERAS_NPZ_SHA256:
            found.append(("Keras cache (sha256 verified)", npz))
        else:
            notes.append(f"{npz} does not match Keras's published sha256: ignored")
    # Hugging Face `datasets` keeps downloads as <hash> files with a <hash>.json sidecar naming the URL.
    downloads = hf / "downloads"
    if downloads.is_dir():
        for sidecar in sorted(downloads.glob("*.json")):
            try:  # the door: another program's file, bounded and of bounded depth
                url = parse_json(read_text(sidecar, CACHE), str(sidecar), CACHE).get("url", "")
            except (InputError, AttributeError):
                continue
            if str(url).endswith("aclImdb_v1.tar.gz"):
                found.append(("Hugging Face cache", sidecar.with_suffix("")))
    # Real reviews a bundle carried (`llmenv setup --bundle` puts them here): a subset, labelled as one.
    bundled = sorted((cache_dir() / BUNDLE_DATA).glob("*.tar.gz")) if (cache_dir() / BUNDLE_DATA).is_dir() else []
    found += [("llmenv bundle data", p) for p in bundled]
    return [(label, p) for label, p in found if p.exists()]


LOOKED = "--data, LLMENV_IMDB, the llmenv cache and bundle data, the Keras and Hugging Face caches"


def prepare(
    data: Path | None,
    *,
    offline: bool,
    seed: int = 1234,
    progress: Callable[[int, int | None], None] | None = None,
    allow_download: bool = True,
    mirrors: Mapping[str, str] | None = None,
    full: bool = False,
    url: str | None = None,
) -> Prepared:
    """The data to train on. `mirrors` maps mirror-set roles (`imdb`, `huggingface`) to URLs: the hook through
    which the chosen mirror set is searched before the official host; `HF_ENDPOINT` stands in for an unset
    `huggingface` role; `url` is the `imdb` role alone. `full` keeps every review (the tutorial's protocol)
    instead of the per-run sample."""
    limits = (None, None) if full else (MAX_TRAIN, MAX_TEST)
    if data is not None:
        return _prepare_path(data, f"--data {data}", seed, limits)
    from llmenv.door.environ import env_text

    env = env_text("LLMENV_IMDB")
    if env:
        return _prepare_path(Path(env), f"LLMENV_IMDB={env}", seed, limits)
    notes: list[str] = []
    for label, path in _candidates(notes):
        return _prepare_path(path, f"{label}: {path}", seed, limits)
    if offline:
        return _synthetic(seed, f"offline, and none of {LOOKED} holds IMDB data", notes)
    from llmenv.verify.smoke.remote import from_mirrors

    roles = dict(mirrors or {})
    if url and "imdb" not in roles:
        roles["imdb"] = url  # the mirror set's `imdb` role as the mirrors workflow passes it
    if "huggingface" not in roles and os.environ.get("HF_ENDPOINT"):
        roles["huggingface"] = os.environ["HF_ENDPOINT"]
    fetched = from_mirrors(roles, cache_dir(), notes, progress)
    if fetched is not None:
        return _prepare_path(fetched[0], fetched[1], seed, limits)
    if not allow_download:
        return _synthetic(seed, f"looked at {LOOKED} and the mirror set", notes)
    try:
        target = download(IMDB_URL, cache_dir() / "aclImdb_v1.tar.gz", IMDB_SHA256, progress=progress)
    except DownloadError as exc:
        # No network to the dataset host (air-gapped, firewalled): still exercise the stack, and say why.
        return _synthetic(seed, f"the IMDB download failed: {exc.what}; looked at {LOOKED}", notes)
    return _prepare_path(target, f"downloaded {IMDB_URL} (sha256 verified)", seed, limits)


def _prepared_sizes(path: Path) -> tuple[int, int] | None:
    """(train, test) sizes from a prepared file's first line, read through the door; None when it is unusable."""
    import zlib

    try:
        with gzip.open(path, "rb") as handle:
            line = handle.readline(CACHE.limit)
        header = Fields(parse_json(decode(line, str(path), CACHE), str(path), CACHE), str(path), CACHE)
        return header.integer("train_size"), header.integer("test_size")
    except (OSError, EOFError, zlib.error, InputError):
        return None


def check_data_path(path: Path, where: str = "--data") -> None:
    """The cheap checks of a given dataset path, made before anything else (an env, a hub, a download)."""
    if not path.exists():
        raise DataError(f"no such file or folder: {path}", where=where, fix="check the path")
    if not path.is_dir() and not path.is_file():
        # A FIFO or device would block the read forever (or never end): refuse before opening it.
        raise DataError(
            f"{path} is not a regular file or folder (a FIFO, socket or device cannot hold a dataset)",
            where=where,
            fix="give an aclImdb folder, a .tar.gz, a CSV (text,label) or a Keras imdb.npz file",
        )


def _prepare_path(path: Path, source: str, seed: int, limits: tuple[int | None, int | None]) -> Prepared:
    check_data_path(path, source.split(" ")[0].rstrip("="))
    name = path.name.lower()
    if name.endswith(".npz"):
        check_npz(path)
        return Prepared(path, "npz", f"{source} (Keras token ids)", False, -1, -1)
    if path.is_dir():
        rows = read_folder(path)
    elif name.endswith(".csv"):
        rows = read_csv(path)
    elif name.endswith((".tar.gz", ".tgz", ".tar")) or tarfile.is_tarfile(path):
        rows = read_tarball(path)
    else:
        raise DataError(
            f"{path} is not a supported dataset (aclImdb folder or tarball, CSV, or Keras imdb.npz)",
            where=str(path),
            fix="point --data at aclImdb_v1.tar.gz (or its extracted aclImdb folder), a .csv or Keras's imdb.npz",
        )
    key = hashlib.sha256(f"{path.resolve()}|{_fingerprint(path)}|{seed}|{limits}".encode()).hexdigest()[:16]
    out = cache_dir() / f"prepared-{key}.json.gz"
    sizes = _prepared_sizes(out) if out.is_file() else None
    if sizes is not None:  # a damaged cache entry (a killed run, a full disk) is made again, never a crash
        return Prepared(out, "texts", source, False, *sizes)
    splits: dict[str, list[tuple[str, int]]] = {"train": [], "test": []}
    for split, text, label in rows:
        splits[split].append((text, 1 if label == "pos" else 0))
    if not splits["train"] or not splits["test"]:
        raise DataError(
            f"{path} holds no labelled train and test reviews",
            where=str(path),
            fix="use the aclImdb layout (train/pos, train/neg, test/pos, test/neg) or a CSV with a split column",
        )
    rng = random.Random(seed)
    train = _stratified(splits["train"], limits[0], rng)
    test = _stratified(splits["test"], limits[1], rng)
    _write_prepared(out, source, False, train, test)
    return Prepared(out, "texts", source, False, len(train), len(test))


def _fingerprint(path: Path) -> str:
    if path.is_dir():
        return str(sum(1 for _ in path.rglob("*.txt")))
    stat = path.stat()
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def _stratified(rows: list[tuple[str, int]], limit: int | None, rng: random.Random) -> list[tuple[str, int]]:
    if limit is None or len(rows) <= limit:
        chosen = list(rows)
    else:
        chosen = []
        for label in (0, 1):
            group = [r for r in rows if r[1] == label]
            chosen += rng.sample(group, min(len(group), limit // 2))
    rng.shuffle(chosen)
    return chosen


def _write_prepared(
    out: Path, source: str, synthetic: bool, train: list[tuple[str, int]], test: list[tuple[str, int]]
) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    # A name of its own (O_EXCL, random): two smoke tests sharing one cache may prepare the same data at once.
    handle_fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(handle_fd)
    try:
        os.chmod(tmp, 0o644)
        _write_gzip_json(Path(tmp), source, synthetic, train, test)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_gzip_json(
    tmp: Path, source: str, synthetic: bool, train: list[tuple[str, int]], test: list[tuple[str, int]]
) -> None:
    with gzip.open(tmp, "wt", encoding="utf-8") as handle:
        header = {"format": 1, "source": source, "synthetic": synthetic, "train_size": len(train),
                  "test_size": len(test)}  # fmt: skip
        handle.write(json.dumps(header) + "\n")
        handle.write(json.dumps({"train": train, "test": test}) + "\n")


def _synthetic(seed: int, reason: str, notes: list[str]) -> Prepared:
    train, test = synthetic.reviews(seed)
    out = cache_dir() / f"synthetic-{seed}-{synthetic.TRAIN}.json.gz"
    source = synthetic.source_label(reason)
    _write_prepared(out, source, True, train, test)
    return Prepared(out, "texts", source, True, len(train), len(test), tuple(notes))


__all__ = [
    "BUNDLE_DATA",
    "IMDB_SHA256",
    "IMDB_URL",
    "KERAS_NPZ_SHA256",
    "DataError",
    "Prepared",
    "cache_dir",
    "check_data_path",
    "prepare",
    "read_csv",
    "read_folder",
    "read_tarball",
]
