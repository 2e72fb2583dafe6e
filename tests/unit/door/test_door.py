"""The door's own rules, in-process: what each reader accepts, what it refuses, and what its errors say."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from llmenv.door import files
from llmenv.door.environ import env_path, env_text, path_text
from llmenv.door.jsondoc import Fields, depth_of, parse_json
from llmenv.door.urls import host_problem
from llmenv.errors import ExitCode, InputError

SECRET = "root:$6$secret-hash$:19000:0:99999:7:::"


@pytest.mark.parametrize("kind", ["fifo", "folder", "dev-zero", "dev-null-empty-ok", "socket"])
def test_only_regular_files_are_read(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "x"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "folder":
        path.mkdir()
    elif kind == "socket":
        import socket

        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
    else:
        path = Path("/dev/zero" if kind == "dev-zero" else "/dev/null")
    start = time.perf_counter()
    with pytest.raises(InputError) as caught:
        files.read_text(path, files.PROFILE)
    assert time.perf_counter() - start < 1
    assert caught.value.exit_code == ExitCode.USAGE and "not a regular file" in caught.value.what


def test_the_size_bound_is_checked_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    with path.open("wb") as handle:
        handle.truncate(files.MIRRORS.limit + 1)
    with pytest.raises(InputError, match="too large"):
        files.read_bytes(path, files.MIRRORS)


def test_not_utf8_is_located_and_quotes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(f"{SECRET}\nline two \xff".encode("latin-1"))
    with pytest.raises(InputError) as caught:
        files.read_text(path, files.LOCK)
    assert caught.value.line == 2 and "0xff" in caught.value.what
    assert "secret-hash" not in caught.value.render()


def test_missing_file_is_none_only_when_nothing_is_there(tmp_path: Path) -> None:
    assert files.read_text_if_present(tmp_path / "nothing", files.LOCK) is None
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    with pytest.raises(InputError, match="no such file"):
        files.read_text_if_present(tmp_path / "dangling", files.LOCK)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ('{"a": NaN}', "NaN"),
        ('{"a": Infinity}', "Infinity"),
        ('{"a": -Infinity}', "Infinity"),
        ('{"a": 1e400}', "finite"),
        ('{"a": 1, "a": 2}', "twice"),
        ("[" * 100_000 + "]" * 100_000, "nested"),
        ("[" * 40 + "]" * 40, "nested deeper than 32"),
        ('{"a": ' + "9" * 5000 + "}", "usable JSON"),
        ("{not json", "not valid JSON"),
    ],
)
def test_json_refusals(text: str, words: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_json(text, "f.json", files.REPORT)
    assert words in caught.value.what and caught.value.exit_code == ExitCode.USAGE


def test_json_errors_are_located_by_line() -> None:
    with pytest.raises(InputError) as caught:
        parse_json('{\n"a": 1,\n"b": }', "f.json", files.REPORT)
    assert caught.value.where == "f.json:3"


def test_json_accepts_a_bom_and_measures_depth_without_recursion() -> None:
    assert parse_json('\ufeff{"a": [1]}', "f.json", files.REPORT) == {"a": [1]}
    value: object = 1
    for _ in range(50_000):
        value = [value]
    assert depth_of(value) == 50_000


def test_fields_name_the_key_path() -> None:
    fields = Fields({"members": {"a": {"size": "1"}}}, "m.json", files.MANIFEST)
    with pytest.raises(InputError) as caught:
        fields.child("members").child("a").integer("size")
    assert caught.value.key == "members.a.size" and "whole number" in caught.value.what
    with pytest.raises(InputError, match="missing"):
        fields.text("profile")
    with pytest.raises(InputError, match="true/false"):
        Fields({"n": True}, "m.json", files.MANIFEST).integer("n")


@pytest.mark.parametrize(
    ("value", "words"), [("a\udcffb", "not UTF-8"), ("a\nb", "line break"), ("x" * 5000, "characters long")]
)
def test_bad_environment_values_name_the_variable(monkeypatch: pytest.MonkeyPatch, value: str, words: str) -> None:
    monkeypatch.setenv("LLMENV_CACHE_DIR", value)
    with pytest.raises(InputError) as caught:
        env_path("LLMENV_CACHE_DIR")
    assert words in caught.value.what and caught.value.where == "LLMENV_CACHE_DIR"


def test_an_empty_or_unset_variable_is_no_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMENV_IMDB", "")
    assert env_text("LLMENV_IMDB") is None
    monkeypatch.delenv("LLMENV_IMDB")
    assert env_text("LLMENV_IMDB") is None


def test_argv_text_must_be_utf8() -> None:
    assert path_text("/tmp/ü", "--env") == "/tmp/ü"
    with pytest.raises(InputError, match="not UTF-8"):
        path_text("/tmp/\udcff", "--env")


@pytest.mark.parametrize(
    ("url", "bad"),
    [
        ("https://pypi.org/simple", False),
        ("https://xn--80ak6aa92e.com/simple", False),
        ("https://pypі.org/simple", True),
        ("https://ｐypi.org/simple", True),
        ("https://pyp\u200bi.org/simple", True),
        ("https://user:pässword@pypi.org/simple", False),  # the password is not the host
    ],
)
def test_hosts_must_be_ascii(url: str, bad: bool) -> None:
    problem = host_problem(url)
    assert (problem is not None) == bad, problem
    if problem:
        assert "U+" in problem and "pässword" not in problem


@pytest.mark.parametrize(
    "damage",
    [b"", b"not gzip", "truncated", b'{"train_size": "4"}\n', b'{"train_size": NaN, "test_size": 1}\n', b"[" * 5000],
)
def test_a_damaged_prepared_cache_entry_is_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: bytes | str
) -> None:
    """A prepared-data cache file damaged by a killed run, a full disk or a hand: read through the door, it is a
    cache miss and is made again (it used to be a KeyError or JSONDecodeError, exit 70)."""
    import gzip

    from llmenv.verify.smoke.data import prepare

    monkeypatch.setenv("LLMENV_CACHE_DIR", str(tmp_path / "cache"))
    data = tmp_path / "reviews.csv"
    rows = [
        f"review number {i} {'good' if i % 2 else 'bad'},{i % 2},{'train' if i < 16 else 'test'}" for i in range(20)
    ]
    data.write_text("text,label,split\n" + "\n".join(rows) + "\n")
    first = prepare(data, offline=True)
    cached = first.path
    if damage == "truncated":
        cached.write_bytes(cached.read_bytes()[:20])
    elif isinstance(damage, bytes) and damage.startswith((b"{", b"[")):
        cached.write_bytes(gzip.compress(damage))
    else:
        assert isinstance(damage, bytes)
        cached.write_bytes(damage)
    again = prepare(data, offline=True)
    assert (again.train_size, again.test_size) == (first.train_size, first.test_size)
    assert again.path == cached and gzip.decompress(cached.read_bytes()).startswith(b"{")
