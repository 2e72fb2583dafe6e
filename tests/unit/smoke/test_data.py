"""IMDB data sources: every format, safety of archives, checksummed resumable download, offline fallback."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest

from llmenv.digest import sha256_of
from llmenv.verify.smoke import data as data_mod
from llmenv.verify.smoke.data import DataError, prepare, read_csv, read_tarball
from llmenv.verify.smoke.readers import NPZ_ARRAYS


@pytest.fixture(autouse=True)
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LLMENV_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("LLMENV_IMDB", raising=False)
    return tmp_path / "cache"


def make_tarball(path: Path, members: dict[str, str], prefix: str = "aclImdb/") -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(prefix + name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def small_members() -> dict[str, str]:
    members = {}
    for split in ("train", "test"):
        for label, word in (("pos", "great"), ("neg", "awful")):
            for i in range(3):
                members[f"{split}/{label}/{i}_{8 if label == 'pos' else 2}.txt"] = f"a {word} film number {i}"
    return members


def read_prepared(path: Path) -> tuple[dict[str, object], dict[str, list[list[object]]]]:
    with gzip.open(path, "rt") as handle:
        return json.loads(handle.readline()), json.loads(handle.readline())


def test_tarball_folder_and_csv_give_the_same_reviews(tmp_path: Path) -> None:
    tarball = make_tarball(tmp_path / "aclImdb_v1.tar.gz", small_members())
    folder = tmp_path / "extracted"
    with tarfile.open(tarball) as archive:
        archive.extractall(folder, filter="data")
    csv_path = tmp_path / "imdb.csv"
    rows = ["review,sentiment,split"] + [
        f'"{text}",{"positive" if label == "pos" else "negative"},{split}'
        for split, text, label in read_tarball(tarball)
    ]
    csv_path.write_text("\n".join(rows) + "\n")
    results = [prepare(p, offline=True) for p in (tarball, folder, csv_path)]
    contents = []
    for prepared in results:
        _header, body = read_prepared(prepared.path)
        assert (prepared.train_size, prepared.test_size) == (6, 6) and not prepared.synthetic
        contents.append(sorted(map(tuple, body["test"])))  # type: ignore[arg-type]
    assert contents[0] == contents[1] == contents[2]
    assert ("a great film number 0", 1) in contents[0]


def test_real_mini_subset_is_read_in_place(imdb_mini: Path) -> None:
    prepared = prepare(imdb_mini, offline=True)
    assert (prepared.train_size, prepared.test_size) == (5000, 2000)
    _header, body = read_prepared(prepared.path)
    assert sum(label for _, label in body["train"]) == 2500  # balanced, as the subset's README says


def test_path_traversal_member_is_refused(tmp_path: Path) -> None:
    tarball = make_tarball(tmp_path / "evil.tar.gz", {"../../etc/evil.txt": "x", **small_members()}, prefix="")
    with pytest.raises(DataError, match="points outside the archive"):
        prepare(tarball, offline=True)


def test_escaping_symlink_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "links.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        info = tarfile.TarInfo("aclImdb/train/pos/0_9.txt")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        archive.addfile(info)
    with pytest.raises(DataError, match="points outside"):
        prepare(path, offline=True)


def test_corrupt_tarball_is_a_clear_error(tmp_path: Path) -> None:
    good = make_tarball(tmp_path / "good.tar.gz", small_members())
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(good.read_bytes()[: len(good.read_bytes()) // 2])
    with pytest.raises(DataError) as info:
        prepare(broken, offline=True)
    assert "corrupt or incomplete" in (info.value.fix or "")


def test_csv_bad_label_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("text,label\nfine,1\nweird,maybe\n")
    with pytest.raises(DataError) as info:
        list(read_csv(path))
    assert info.value.where == f"{path}:3"


def test_keras_npz_is_passed_to_the_runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "imdb.npz"
    with zipfile.ZipFile(path, "w") as archive:  # read inside the env with NumPy; here its members and sha256
        for name in NPZ_ARRAYS:
            archive.writestr(name, b"")
    with pytest.raises(DataError, match="published"):  # not Keras's file: its pickles could run anything
        prepare(path, offline=True)
    monkeypatch.setattr("llmenv.tables.imdb.KERAS_NPZ_SHA256", sha256_of(path))  # stands in for the published one
    prepared = prepare(path, offline=True)
    assert prepared.kind == "npz" and prepared.path == path


def test_environment_variable_and_keras_cache_are_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tarball = make_tarball(tmp_path / "a.tar.gz", small_members())
    monkeypatch.setenv("LLMENV_IMDB", str(tarball))
    assert prepare(None, offline=True).source == f"LLMENV_IMDB={tarball}"
    monkeypatch.delenv("LLMENV_IMDB")
    keras = tmp_path / "keras"
    (keras / "datasets").mkdir(parents=True)
    make_tarball(keras / "datasets" / "aclImdb_v1.tar.gz", small_members())
    monkeypatch.setenv("KERAS_HOME", str(keras))
    assert prepare(None, offline=True).source.startswith("Keras cache:")


def test_offline_without_data_is_labelled_synthetic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "none"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "none"))
    prepared = prepare(None, offline=True)
    assert prepared.synthetic and "SYNTHETIC" in prepared.source and "not an IMDB accuracy" in prepared.source
    assert "(offline," in prepared.source
    header, _ = read_prepared(prepared.path)
    assert header["synthetic"] is True


def test_bundle_data_is_found_before_falling_back(cache: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "none"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "none"))
    (cache / "imdb" / "bundle").mkdir(parents=True)
    make_tarball(cache / "imdb" / "bundle" / "aclImdb-mini.tar.gz", small_members())
    prepared = prepare(None, offline=True)
    assert not prepared.synthetic and prepared.source.startswith("llmenv bundle data:")


def test_keras_npz_with_the_wrong_checksum_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keras = tmp_path / "keras"
    (keras / "datasets").mkdir(parents=True)
    (keras / "datasets" / "imdb.npz").write_bytes(b"truncated download")
    monkeypatch.setenv("KERAS_HOME", str(keras))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "none"))
    prepared = prepare(None, offline=True)
    assert prepared.synthetic and any("published sha256" in note for note in prepared.notes)


def test_full_keeps_every_review(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(data_mod, "MAX_TRAIN", 2)
    members = small_members()
    tarball = make_tarball(tmp_path / "a.tar.gz", members)
    assert prepare(tarball, offline=True).train_size == 2
    assert prepare(tarball, offline=True, full=True).train_size == 6


def test_prepared_data_written_at_once_by_two_smoke_tests_is_whole(tmp_path: Path) -> None:
    """Two smoke tests sharing one cache prepare the same data at the same moment: each writes a scratch file of
    its own, so the prepared file is one writer's, whole, and no scratch is left.

    Failed before: all wrote `<name>.tmp`; the first to finish renamed it away and the others failed
    (FileNotFoundError: an internal error in a smoke test)."""
    import gzip
    import json
    import threading

    from llmenv.verify.smoke.data import _write_prepared

    out = tmp_path / "prepared.json.gz"

    def rows(writer: int) -> list[tuple[str, int]]:  # each writer's data differs in length and content
        return [(f"review {n} by {writer} " * (20 + 9 * writer), n % 2) for n in range(1000 + 300 * writer)]

    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            _write_prepared(out, f"w{n}", False, rows(n), rows(n))
        except BaseException as exc:  # before: FileNotFoundError, another writer had renamed the shared .tmp away
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with gzip.open(out, "rt", encoding="utf-8") as handle:
        header, body = json.loads(handle.readline()), json.loads(handle.readline())
    writer = int(header["source"][1:])
    assert body == {"train": [list(r) for r in rows(writer)], "test": [list(r) for r in rows(writer)]}
    assert [p.name for p in tmp_path.iterdir()] == ["prepared.json.gz"]
