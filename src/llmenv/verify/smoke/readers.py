"""Reading IMDB data in the formats people have it: aclImdb tarball (read in place) or folder, CSV, Keras npz.

Errors about a data file say what is wrong with it (a column count, a row number, the kind of a value) and never
quote it: --data may name anything the user can read (a link to /etc/shadow, a key file), and an error message ends
up in terminals, CI logs and bug reports (issue 18: the door never echoes a file that is not llmenv's own).
"""

from __future__ import annotations

import csv
import hashlib
import re
import tarfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from llmenv.errors import DataError, os_error_reason

_MEMBER = re.compile(r"(?:^|/)(train|test)/(pos|neg)/\d+_\d+\.txt$")


def _kind_of_value(value: str | None) -> str:
    """What a cell is, without what it says."""
    if value is None:
        return "missing"
    if not value.strip():
        return "empty"
    shape = "a number" if re.fullmatch(r"\s*[-+]?\d+(?:\.\d*)?\s*", value) else "text"
    return f"{shape} of {len(value)} characters"


def _checked_name(name: str, archive: Path, number: int) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        raise DataError(
            f"archive member number {number} has a name that points outside the archive (an absolute path or ..); "
            "refusing to read it",
            where=str(archive),
            fix="use the official aclImdb_v1.tar.gz or a folder in its layout",
        )
    return name


def read_tarball(path: Path) -> Iterator[tuple[str, str, str]]:
    """(split, text, label) from an aclImdb tarball, read in place: nothing is extracted, every member name checked."""
    try:
        with tarfile.open(path, "r:*") as archive:
            for number, member in enumerate(archive, start=1):
                name = _checked_name(member.name, path, number)
                if member.issym() or member.islnk():
                    _checked_name(member.linkname, path, number)  # links are never followed; escaping ones are refused
                    continue
                match = _MEMBER.search(name)
                if not match or not member.isfile():
                    continue
                handle = archive.extractfile(member)
                if handle is None:
                    continue
                yield match.group(1), handle.read().decode("utf-8", errors="replace"), match.group(2)
    except (tarfile.TarError, EOFError, OSError, zlib_error()) as exc:
        raise DataError(
            f"cannot read {path} as an aclImdb tarball ({type(exc).__name__})",
            where=str(path),
            fix="the file is corrupt or incomplete: download it again, or pass another --data",
        ) from None


def zlib_error() -> type[Exception]:
    import zlib

    return zlib.error


def read_folder(path: Path) -> Iterator[tuple[str, str, str]]:
    root = path / "aclImdb" if (path / "aclImdb").is_dir() else path
    if not (root / "train").is_dir() or not (root / "test").is_dir():
        raise DataError(
            f"{path} is not an aclImdb folder (expected train/ and test/ with pos/ and neg/ inside)",
            where=str(path),
            fix="point --data at the extracted aclImdb folder, its .tar.gz, a CSV or imdb.npz",
        )
    for split in ("train", "test"):
        for label in ("pos", "neg"):
            for file in sorted((root / split / label).glob("*_*.txt")):
                try:
                    text = file.read_text(encoding="utf-8", errors="replace")
                except OSError as exc:
                    raise DataError(
                        f"cannot read the review {file}: {os_error_reason(exc)[0]}",
                        where=str(file),
                        fix="check the file's permissions, or point --data at another copy of the data",
                    ) from None
                yield split, text, label


_LABELS = {"1": "pos", "0": "neg", "pos": "pos", "neg": "neg", "positive": "pos", "negative": "neg"}


def read_csv(path: Path) -> Iterator[tuple[str, str, str]]:
    """A CSV with a text column (`text` or `review`) and a label column (`label` or `sentiment`: 1/0, pos/neg,
    positive/negative); an optional `split` column (train/test), else a stable 80/20 split by text hash."""
    with path.open(encoding="utf-8", errors="replace", newline="") as handle:
        reader = csv.DictReader(handle)
        try:
            yield from _csv_rows(path, reader)
        except csv.Error as exc:
            raise DataError(
                f"{path} is not a valid CSV file at line {reader.line_num} ({type(exc).__name__}: an unclosed "
                "quote or a field over the size limit)",
                where=f"{path}:{reader.line_num}",
                fix="give a CSV with a header row (text,label) and one review per row",
            ) from None


def _csv_rows(path: Path, reader: csv.DictReader[str]) -> Iterator[tuple[str, str, str]]:
    names = reader.fieldnames or []
    fields = {f.lower(): f for f in names}
    text_key = fields.get("text") or fields.get("review")
    label_key = fields.get("label") or fields.get("sentiment")
    if not text_key or not label_key:
        missing = " and ".join(
            want for want, key in (("text (or review)", text_key), ("label (or sentiment)", label_key)) if not key
        )
        raise DataError(
            f"{path} has {len(names)} column(s) in its first line, none of them named {missing}; expected a header "
            "row naming a text column (text or review) and a label column (label or sentiment)",
            where=f"{path}:1",
            fix="rename the columns to text and label (an optional split column says train or test)",
        )
    split_key = fields.get("split")
    for line, row in enumerate(reader, start=2):
        text, raw = row.get(text_key), row.get(label_key)
        if text is None or raw is None:
            raise DataError(
                f"row {line} of {path} has fewer columns than its header ({len(names)})",
                where=f"{path}:{line}",
                fix="give every row a text and a label (quote texts that hold commas)",
            )
        label = _LABELS.get(raw.strip().lower())
        if label is None:
            raise DataError(
                f"row {line} of {path} has an unknown label ({_kind_of_value(raw)}; expected 1/0, pos/neg or "
                "positive/negative)",
                where=f"{path}:{line}",
                fix="write each label as 1/0, pos/neg or positive/negative",
            )
        split = (row.get(split_key) or "").strip().lower() if split_key else ""
        if split not in ("train", "test"):
            split = "test" if int(hashlib.sha256(text.encode()).hexdigest(), 16) % 5 == 0 else "train"
        yield split, text, label


NPZ_ARRAYS = ("x_train.npy", "y_train.npy", "x_test.npy", "y_test.npy")


_NPZ_FIX = "give Keras's imdb.npz (keras.datasets.imdb), an aclImdb folder or .tar.gz, or a CSV (text,label)"


def check_npz(path: Path) -> None:
    """Keras's imdb.npz is a zip of four arrays: checked here, by member names, so a file of another kind is refused
    on the host with an error that quotes none of it (the env's NumPy would report it in its own words). Its arrays
    hold pickled objects (ragged token lists), which the runner must load with allow_pickle, and unpickling runs
    code: so only the published file (its sha256) is used. Data is not code; any other npz would be."""
    import zipfile

    from llmenv.digest import sha256_of
    from llmenv.tables.imdb import KERAS_NPZ_SHA256

    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise DataError(
            f"{path} is not a Keras imdb.npz file (not a readable zip archive: {type(exc).__name__})",
            where=str(path),
            fix=_NPZ_FIX,
        ) from None
    missing = [n.removesuffix(".npy") for n in NPZ_ARRAYS if n not in names]
    if missing:
        raise DataError(
            f"{path} is not a Keras imdb.npz file: it lacks the array(s) {', '.join(missing)} "
            f"(it holds {len(names)} other member(s))",
            where=str(path),
            fix=_NPZ_FIX,
        )
    if sha256_of(path) != KERAS_NPZ_SHA256:
        raise DataError(
            f"{path} is not Keras's published imdb.npz (its sha256 differs); an npz holds pickled objects, which "
            "run code when loaded, so llmenv loads only the published file",
            where=str(path),
            fix="download imdb.npz again from Keras (keras.datasets.imdb.load_data), or give the same reviews as an "
            "aclImdb folder or .tar.gz, or a CSV (text,label)",
        )


__all__ = ["NPZ_ARRAYS", "check_npz", "read_csv", "read_folder", "read_tarball"]
