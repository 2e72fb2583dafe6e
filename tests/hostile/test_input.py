"""Hostile and careless profiles: what a user can type into a YAML file, checked by `profiles validate` and
`setup --dry-run`. Each case: exit 2 (bad profile), one paragraph naming the file and a fix, no traceback, quick."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.hostile.conftest import Outcome, assert_clean, llmenv, snapshot

HEAD = "name: p\npython: '>=3.10'\n"
PKG = "packages: ['alpha==1.0']\n"

# (case id, file bytes, expected exit code, words the message must carry)
PROFILES: list[tuple[str, bytes, int, tuple[str, ...]]] = [
    ("nested-lists-600", (HEAD + "packages: " + "[" * 600 + "]" * 600 + "\n").encode(), 2, ("nest",)),
    ("nested-maps-600", (HEAD + PKG + "description: " + "{a: " * 600 + "b" + "}" * 600 + "\n").encode(), 2, ("nest",)),
    ("nested-block-600", (HEAD + PKG + "".join("  " * i + f"k{i}:\n" for i in range(600))).encode(), 2, ("nest",)),
    ("nul-byte-in-key", b"name: p\x00\npython: '>=3.10'\n" + PKG.encode(), 2, ("NUL", ":1")),
    ("nul-byte-in-value", (HEAD + "description: 'a\x00b'\n" + PKG).encode(), 2, ("NUL",)),
    ("control-char-0x01", (HEAD + "description: a\x01b\n" + PKG).encode(), 2, ("0x01",)),
    ("invalid-utf8", HEAD.encode() + b"description: \xff\xfe\n" + PKG.encode(), 2, ("UTF-8",)),
    ("utf16-file", (HEAD + PKG).encode("utf-16"), 2, ("UTF-8",)),
    ("arbitrary-eq-operator", (HEAD + "packages: ['torch===>2.13']\n").encode(), 2, ("===", "torch==2.13")),
    ("arbitrary-eq-less", (HEAD + "packages: ['torch===<=2.13']\n").encode(), 2, ("===", "torch==2.13")),
    ("arbitrary-eq-word", (HEAD + "packages: ['torch===latest']\n").encode(), 2, ("===", "==")),
    ("arbitrary-eq-empty-ish", (HEAD + "packages: ['torch=== ']\n").encode(), 2, ("torch",)),
    ("gpu-required-true", (HEAD + PKG + "checks: {gpu: yes}\n").encode(), 2, ("quote", "'required'")),
    ("python-as-number", b"name: p\npython: 3.10\n" + PKG.encode(), 2, ("python", "quotes")),
    ("python-bad-specifier", b"name: p\npython: '>=3.10,<<4'\n" + PKG.encode(), 2, ("PEP 440",)),
    ("unknown-key-typo", (HEAD + "pakages: ['alpha==1.0']\n").encode(), 2, ("did you mean 'packages'",)),
    ("name-uppercase", b"name: MyProfile\npython: '>=3.10'\n" + PKG.encode(), 2, ("lowercase",)),
    ("name-too-long", (f"name: {'a' * 65}\npython: '>=3.10'\n" + PKG).encode(), 2, ("name",)),
    ("packages-not-a-list", (HEAD + "packages: alpha==1.0\n").encode(), 2, ("a list",)),
    ("package-not-a-string", (HEAD + "packages: [{alpha: 1}]\n").encode(), 2, ("a string",)),
    ("package-unpinned", (HEAD + "packages: ['alpha>=1']\n").encode(), 2, ("not pinned",)),
    ("package-bad-pep508", (HEAD + "packages: ['al pha==1']\n").encode(), 2, ("PEP 508",)),
    ("top-level-list", b"- name: p\n", 2, ("mapping",)),
    ("top-level-string", b"just a string\n", 2, ("mapping",)),
    ("empty-file", b"", 2, ("empty",)),
    ("only-comments", b"# nothing\n", 2, ("empty",)),
    ("tabs-indentation", (HEAD + "checks:\n\timports: [a]\n" + PKG).encode(), 2, ("invalid YAML",)),
    ("unclosed-quote", (HEAD + "description: 'abc\n" + PKG).encode(), 2, ("invalid YAML",)),
    ("duplicate-key", (HEAD + PKG + PKG).encode(), 2, ("duplicate key",)),
    ("python-tag", (HEAD + PKG + "description: !!python/object/apply:os.system ['true']\n").encode(), 2, ("tag",)),
    ("min-accuracy-out-of-range", (HEAD + PKG + "smoke: {framework: torch, min_accuracy: 2}\n").encode(), 2, ()),
    ("time-budget-infinite", (HEAD + PKG + "smoke: {framework: torch, time_budget_s: 1e400}\n").encode(), 2, ()),
    ("smoke-unknown-framework", (HEAD + PKG + "smoke: {framework: jax}\n").encode(), 2, ("framework",)),
    ("min-cuda-not-major-minor", (HEAD + PKG + "accelerators: {cuda: {min_cuda: '12'}}\n").encode(), 2, ("12.6",)),
    ("unknown-accelerator", (HEAD + PKG + "accelerators: {tpu: {}}\n").encode(), 2, ("tpu",)),
    ("key-is-a-list", (HEAD + PKG + "[a, b]: 1\n").encode(), 2, ("plain strings",)),
    ("huge-line-1mb", (HEAD + PKG + "description: '" + "x" * 1_000_000 + "'\n").encode(), 0, ()),
    (
        "ten-thousand-packages",
        (HEAD + "packages:\n" + "".join(f"- p{i}==1.0\n" for i in range(10_000))).encode(),
        0,
        (),
    ),
    ("crlf-line-endings", (HEAD + PKG).replace("\n", "\r\n").encode(), 0, ()),
    ("utf8-bom", "\ufeff".encode() + (HEAD + PKG).encode(), 0, ()),
    ("gpu-off-unquoted", (HEAD + PKG + "checks: {gpu: off}\n").encode(), 0, ()),
]


@pytest.mark.parametrize(("data", "code", "words"), [c[1:] for c in PROFILES], ids=[c[0] for c in PROFILES])
def test_validate_hostile_profile(
    cli: Callable[..., CliResult], tmp_path: Path, data: bytes, code: int, words: tuple[str, ...]
) -> None:
    """`profiles validate` on the file: exit code, a located paragraph with a fix, no traceback, bounded time.

    In-process through the real entry point (its error boundary included), so 40 cases cost no process starts;
    the `setup` cases below run as real processes."""
    path = tmp_path / "p.yaml"
    path.write_bytes(data)
    before = snapshot(tmp_path)
    start = time.perf_counter()
    ran = cli("profiles", "validate", str(path))
    result = Outcome(ran.code, ran.out, ran.err, time.perf_counter() - start)
    assert_clean(result, code, seconds=15, mentions=words)
    if code:
        assert "p.yaml" in result.err
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "case", ["nested-lists-600", "nul-byte-in-key", "arbitrary-eq-operator", "invalid-utf8", "time-budget-infinite"]
)
def test_setup_refuses_hostile_profile_before_touching_disk(tmp_path: Path, case: str) -> None:
    """The same files given to `setup`: refused before any env, store or lock is made."""
    data = next(c[1] for c in PROFILES if c[0] == case)
    path = tmp_path / "p.yaml"
    path.write_bytes(data)
    before = snapshot(tmp_path)
    result = llmenv("setup", str(path), "--env", str(tmp_path / "env"), "--offline", "--skip-smoke", cwd=tmp_path)
    assert_clean(result, 2, seconds=30)
    assert snapshot(tmp_path) == before


def test_profiles_list_marks_a_nul_profile_invalid(tmp_path: Path) -> None:
    """A broken file in ./profiles must not take `profiles list` down: it is listed as INVALID, the rest still show."""
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "broken.yaml").write_bytes(b"name: broken\x00\n" + PKG.encode())
    (folder / "deep.yaml").write_bytes((HEAD + "packages: " + "[" * 600 + "]" * 600 + "\n").encode())
    (folder / "good.yaml").write_text("name: good\npython: '>=3.10'\n" + PKG)
    result = llmenv("profiles", "list", cwd=tmp_path)
    assert_clean(result, 0)
    lines = {line.split()[0]: line for line in result.out.splitlines() if line.strip()}
    assert "INVALID" in result.out, result.out
    assert "good" in lines, result.out
    listed = llmenv("profiles", "list", "--json", cwd=tmp_path)
    assert_clean(listed, 0)


def test_gpu_off_unquoted_means_off(tmp_path: Path) -> None:
    """README writes `checks: {gpu: off}`; YAML 1.1 reads `off` as false. It must mean the string 'off'."""
    path = tmp_path / "p.yaml"
    path.write_text(HEAD + PKG + "checks: {gpu: off}\n")
    result = llmenv("profiles", "show", str(path), "--json", cwd=tmp_path)
    assert_clean(result, 0)
    assert '"gpu": "off"' in result.out
