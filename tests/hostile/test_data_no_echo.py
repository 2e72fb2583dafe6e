"""Smoke data is read from anywhere the user can read (data is not code), so an error about a data file must never
quote it (issue 18, N2): `--data x.csv` where x.csv links to /etc/shadow, a key file or any file of another format.

Each loader kind gets a file holding a secret-looking line, reached through a link as QA did, and each error path
is driven: the error says what is wrong (a column count, a row number, the kind of value, a member number) and the
secret appears nowhere in the message, stdout, stderr or the log records.

Failed before the fix: csv-not-a-header and csv-wrong-columns (the first line was printed as "has columns [...]"),
csv-label (the cell was quoted as "unknown label ..."), csv-short-row (a traceback, exit 70), csv-oversized-field
(csv.Error escaped: a traceback), tarball-member-name (the member name was quoted), npz-not-a-zip and
npz-other-arrays (accepted on the host; the env's NumPy reported the file in its own words), npz-not-published
(accepted, and loaded in the env with allow_pickle: another user's npz could run code as the user)."""

from __future__ import annotations

import io
import logging
import tarfile
from collections.abc import Callable
from pathlib import Path

import pytest

from llmenv.errors import DataError
from llmenv.verify.smoke.data import prepare

SECRET = "root:$6$SECRETHASH$abcdef:19000:0:99999:7:::"
TOKEN = "hf_SECRETTOKEN1234567890"


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LLMENV_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("LLMENV_IMDB", raising=False)
    return tmp_path / "cache"


def secret_file(where: Path) -> Path:
    """Like /etc/shadow: lines of colon-separated fields, no header a CSV reader would know."""
    path = where / "shadow"
    path.write_text(f"{SECRET}\ndaemon:*:19000:0:99999:7:::\n")
    return path


def linked(target: Path, link: Path) -> Path:
    link.symlink_to(target)
    return link


def csv_holding(tmp: Path, text: str) -> Path:
    """A link named x.csv to a file (of no CSV name) holding `text`."""
    target = tmp / "held.txt"
    target.write_text(text)
    return linked(target, tmp / "x.csv")


def csv_not_a_header(tmp: Path) -> Path:
    return linked(secret_file(tmp), tmp / "x.csv")


def csv_wrong_columns(tmp: Path) -> Path:
    return csv_holding(tmp, f"{SECRET},{TOKEN}\nfine,1\n")


def csv_label(tmp: Path) -> Path:
    return csv_holding(tmp, f"text,label\na fine film,1\nanother,{TOKEN}\n")


def csv_short_row(tmp: Path) -> Path:
    return csv_holding(tmp, f"text,label\n{SECRET}\n")


def csv_oversized_field(tmp: Path) -> Path:
    return csv_holding(tmp, f'text,label\n"{SECRET}{"x" * 200_000}",1\n')


def tarball_not_a_tarball(tmp: Path) -> Path:
    return linked(secret_file(tmp), tmp / "x.tar.gz")


def tarball_member_name(tmp: Path) -> Path:
    target = tmp / "evil.tar"
    with tarfile.open(target, "w") as archive:
        info = tarfile.TarInfo(f"../{SECRET}")
        info.size = 1
        archive.addfile(info, io.BytesIO(b"x"))
    return linked(target, tmp / "x.tar")


def folder_with_a_link_for_a_split(tmp: Path) -> Path:
    root = tmp / "aclImdb"
    root.mkdir()
    (root / "test").mkdir()
    linked(secret_file(tmp), root / "train")
    return root


def folder_empty_splits(tmp: Path) -> Path:
    root = tmp / "aclImdb"
    for split in ("train", "test"):
        (root / split / "pos").mkdir(parents=True)
    linked(secret_file(tmp), root / "train" / "pos" / f"{SECRET.replace('/', '_')}.txt")
    return root


def npz_not_a_zip(tmp: Path) -> Path:
    return linked(secret_file(tmp), tmp / "imdb.npz")


def npz_other_arrays(tmp: Path) -> Path:
    import zipfile

    target = tmp / "other.npz"
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr(f"{SECRET}.npy", TOKEN)
    return linked(target, tmp / "imdb.npz")


def npz_not_published(tmp: Path) -> Path:
    """The right arrays, but not Keras's file: its pickles would run in the env (allow_pickle), so refused."""
    import zipfile

    from llmenv.verify.smoke.readers import NPZ_ARRAYS

    target = tmp / "mine.npz"
    with zipfile.ZipFile(target, "w") as archive:
        for name in NPZ_ARRAYS:
            archive.writestr(name, f"{SECRET} {TOKEN}")
    return linked(target, tmp / "imdb.npz")


CASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "csv-not-a-header": (csv_not_a_header, "1 column(s)"),
    "csv-wrong-columns": (csv_wrong_columns, "2 column(s)"),
    "csv-label": (csv_label, "row 3"),
    "csv-short-row": (csv_short_row, "row 2"),
    "csv-oversized-field": (csv_oversized_field, "not a valid CSV"),
    "tarball-not-a-tarball": (tarball_not_a_tarball, "aclImdb tarball"),
    "tarball-member-name": (tarball_member_name, "member number 1"),
    "folder-link-for-a-split": (folder_with_a_link_for_a_split, "not an aclImdb folder"),
    "folder-empty-splits": (folder_empty_splits, "no labelled"),
    "npz-not-a-zip": (npz_not_a_zip, "not a Keras imdb.npz"),
    "npz-other-arrays": (npz_other_arrays, "x_train"),
    "npz-not-published": (npz_not_published, "published"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_an_error_about_a_data_file_never_quotes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture, case: str
) -> None:
    make, expected = CASES[case]
    data = make(tmp_path)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(DataError) as info:
        prepare(data, offline=True)
    rendered = info.value.render()
    out, err = capsys.readouterr()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret in (SECRET, TOKEN, "SECRETHASH", "SECRETTOKEN"):
        for seen in (rendered, out, err, logged):
            assert secret not in seen, rendered
    assert expected in rendered, rendered
    assert info.value.fix, rendered
