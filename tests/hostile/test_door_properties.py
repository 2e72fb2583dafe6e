"""Property-based tests at the door (issue 18, item 8): for every kind of input from outside, whatever its bytes,
llmenv's reader ends in a result or in one of its own errors with a documented exit code (2 bad input, 3 host),
within a time and memory bound, never another exception.

Kinds: profiles, locks, bundle manifests, env stamps, `report merge` inputs, mirrors.yaml, environment values and
argv. Inputs are generated from the real documents with one part replaced by a hostile value (NaN, deep nesting,
wrong types, non-UTF-8 bytes, control characters, huge numbers), and as raw bytes. Examples are few and
derandomized so the file runs in about 30 seconds."""

from __future__ import annotations

import json
import os
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmenv.errors import ExitCode, LlmenvError
from tests.conftest import CliResult
from tests.hostile.bundles import good_members, make_bundle, manifest_for

SECONDS = 8.0  # a hang or quadratic blow-up exceeds it; a loaded 2-core CI machine does not
PEAK = 64 * 2**20
DOCUMENTED = {ExitCode.USAGE, ExitCode.HOST_UNSUITABLE}
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)

# Values chosen to trip readers: JSON's non-numbers, huge numbers, deep nesting, wrong types, odd text.
HOSTILE_TEXT = [
    "",
    "\x00",
    "\udcff",
    "\u202e",
    "a\nb",
    "../../etc/passwd",
    "/etc/shadow",
    "./x",
    "x\n",
    "NaN",
    "9" * 400,
]
leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(HOSTILE_TEXT),
    st.text(max_size=20),
)
json_values = st.recursive(
    leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)
nesting = st.tuples(st.sampled_from(["[", '{"a":']), st.integers(min_value=1, max_value=20_000))


def deep(opening: str, depth: int) -> str:
    closing = "]" if opening == "[" else "}"
    return opening * depth + "1" + closing * depth


def dump(value: Any) -> bytes:
    """JSON as a careless or hostile writer makes it: NaN and Infinity written bare, surrogates as bytes."""
    text = json.dumps(value, allow_nan=True, ensure_ascii=False)
    return text.encode("utf-8", "surrogateescape")


def bounded(call: Callable[[], Any]) -> Any:
    """Run one read: llmenv's own error with a documented code is fine; time and peak memory are bounded."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        return call()
    except LlmenvError as exc:
        assert exc.exit_code in DOCUMENTED, f"exit {int(exc.exit_code)}: {exc.render()}"
        assert "Traceback" not in exc.render()
        return exc
    finally:
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert seconds < SECONDS, f"took {seconds:.1f} s"
        assert peak < PEAK, f"peak {peak / 2**20:.0f} MiB"


# --- bundle manifests --------------------------------------------------------------------------------------------
MANIFEST_KEYS = ["format", "profile", "profile_member", "platform", "python", "variants", "members", "data", "uv",
                 "python_archive", "notes", "llmenv_version"]  # fmt: skip


@SETTINGS
@given(key=st.sampled_from(MANIFEST_KEYS), value=json_values)
def test_manifest_with_one_hostile_value(tmp_path: Path, key: str, value: Any) -> None:
    """A bundle manifest with any one key set to a generated value: opens or is refused (2/3), no scratch left."""
    from llmenv.execute.bundle_open import open_bundle

    members = good_members()
    document = manifest_for(members, **{key: value})
    bundle = make_bundle(tmp_path / "b.tar", members, dump(document))
    bounded(lambda: open_bundle(bundle, tmp_path / "root"))
    assert not list((tmp_path / "root").glob(".*.tmp")) if (tmp_path / "root").exists() else True


@SETTINGS
@given(name=st.sampled_from(sorted(good_members())), entry=json_values)
def test_manifest_member_entry_of_any_shape(tmp_path: Path, name: str, entry: Any) -> None:
    """A manifest member entry of any shape (not an object, no sha256, odd sizes): opens or is refused."""
    from llmenv.execute.bundle_open import open_bundle

    members = good_members()
    document = manifest_for(members)
    document["members"][name] = entry
    bundle = make_bundle(tmp_path / "b.tar", members, dump(document))
    bounded(lambda: open_bundle(bundle, tmp_path / "root"))


@SETTINGS
@given(raw=st.one_of(st.binary(max_size=300), nesting.map(lambda n: deep(*n).encode())))
def test_manifest_as_raw_bytes(tmp_path: Path, raw: bytes) -> None:
    """manifest.json as arbitrary bytes or nesting up to 20,000 deep: always refused, never a crash."""
    from llmenv.execute.bundle_open import open_bundle

    bundle = make_bundle(tmp_path / "b.tar", good_members(), raw)
    result = bounded(lambda: open_bundle(bundle, tmp_path / "root"))
    assert isinstance(result, LlmenvError)


# --- report merge inputs -----------------------------------------------------------------------------------------
REPORT_KEYS = ["schema", "verdict", "findings", "facts", "llmenv_version", "profile", "accelerator"]


def doctor_report() -> dict[str, Any]:
    return {
        "schema": "llmenv.doctor/1",
        "verdict": "ok",
        "findings": [{"id": "host.python", "status": "ok"}],
        "facts": {"system": {"value": {"os": "Linux"}}},
    }


def merged(files: list[Path]) -> str:
    from llmenv.report.merge import load_reports, merge, merge_json, node_states

    reports = load_reports(files)
    return json.dumps(merge_json(reports, merge(reports), node_states(reports, None, None)), allow_nan=False)


@SETTINGS
@given(key=st.sampled_from(REPORT_KEYS), value=json_values)
def test_report_with_one_hostile_value(tmp_path: Path, key: str, value: Any) -> None:
    """A doctor report with any one key set to a generated value: merges to strict JSON or is exit 2."""
    good, bad = tmp_path / "a.json", tmp_path / "b.json"
    good.write_text(json.dumps(doctor_report()))
    bad.write_bytes(dump({**doctor_report(), key: value}))
    bounded(lambda: merged([good, bad]))


@SETTINGS
@given(finding=json_values, fact=json_values)
def test_report_findings_and_facts_of_any_shape(tmp_path: Path, finding: Any, fact: Any) -> None:
    """Findings and facts of any shape in a doctor report: merged or exit 2."""
    good, bad = tmp_path / "a.json", tmp_path / "b.json"
    good.write_text(json.dumps(doctor_report()))
    bad.write_bytes(dump({**doctor_report(), "findings": [finding], "facts": {"system": fact, "nvidia": fact}}))
    bounded(lambda: merged([good, bad]))


@SETTINGS
@given(raw=st.one_of(st.binary(max_size=300), nesting.map(lambda n: deep(*n).encode())))
def test_report_as_raw_bytes(tmp_path: Path, raw: bytes) -> None:
    """A `report merge` input of arbitrary bytes or deep nesting: exit 2, bounded."""
    good, bad = tmp_path / "a.json", tmp_path / "b.json"
    good.write_text(json.dumps(doctor_report()))
    bad.write_bytes(raw)
    bounded(lambda: merged([good, bad]))


# --- env stamps: an unusable stamp is no stamp (the env is set up again), never a crash ------------------------------
@SETTINGS
@given(raw=st.one_of(st.binary(max_size=200), json_values.map(dump), nesting.map(lambda n: deep(*n).encode())))
def test_stamp_of_any_bytes(tmp_path: Path, raw: bytes) -> None:
    """An env stamp of any bytes, JSON or nesting depth: read as a stamp or as none, never a crash."""
    from llmenv.execute.store import STAMP, EnvStore

    env = tmp_path / "env"
    generation = tmp_path / "env.llmenv" / "gen-1"
    generation.mkdir(parents=True, exist_ok=True)
    (generation / STAMP).write_bytes(raw)
    if not env.is_symlink():
        env.symlink_to(generation)
    result = bounded(lambda: EnvStore.at(env).stamp())
    assert result is None or isinstance(result, dict)


# --- mirrors.yaml ----------------------------------------------------------------------------------------------------
yaml_bits = st.sampled_from(["campus:", " pypi:", " pytorch_format:", "'https://x/simple'", "ftp://u:p@h/", "[", "{",
                             "}", "&a", "*a", "!!python/object", "\t", "\x00", "\udcff", "pypі.org", "\n", " ", "-"])  # fmt: skip


@SETTINGS
@given(parts=st.lists(st.one_of(yaml_bits, st.text(max_size=6)), max_size=30))
def test_mirrors_yaml_of_any_text(tmp_path: Path, parts: list[str]) -> None:
    """mirrors.yaml made of YAML punctuation, tags, control characters, non-UTF-8 and look-alike hosts: sets or exit 2."""
    from llmenv.mirrors.config import known_sets

    path = tmp_path / "mirrors.yaml"
    path.write_bytes("".join(parts).encode("utf-8", "surrogateescape"))
    bounded(lambda: known_sets(path))


# --- profiles (raw bytes; documents shaped like profiles are in test_properties.py) -------------------------------------
@SETTINGS
@given(raw=st.binary(max_size=300))
def test_profile_of_any_bytes(tmp_path: Path, raw: bytes) -> None:
    """A profile with arbitrary bytes after a valid head: loaded or exit 2."""
    from llmenv.profiles.load import read_profile_file

    path = tmp_path / "p.yaml"
    path.write_bytes(b"name: p\npython: '>=3.10'\n" + raw)
    bounded(lambda: read_profile_file(path))


# --- locks: what setup reads beside the profile ----------------------------------------------------------------------
@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(raw=st.one_of(st.binary(max_size=200), st.just(b"# profile content hash x\n\xff")))
def test_lock_of_any_bytes(cli: Callable[..., CliResult], tmp_path: Path, raw: bytes) -> None:
    """A lock of arbitrary bytes where setup looks for it: planned with or without it, or exit 2."""
    import platform
    import sys

    machine = {"amd64": "x86_64", "arm64": "aarch64"}.get(platform.machine().lower(), platform.machine().lower())
    profile = tmp_path / "p.yaml"
    profile.write_text("name: p\npython: '>=3.10'\naccelerator: cpu\npackages: ['alpha==1.0']\n")
    lock = tmp_path / f"p.cpu.py{sys.version_info[0]}{sys.version_info[1]}.{machine}-manylinux_2_28.lock.txt"
    lock.write_bytes(raw)
    start = time.perf_counter()
    result = cli("setup", str(profile), "--dry-run", "--offline")
    assert result.code in (0, 2), result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    assert time.perf_counter() - start < 10


# --- environment values and argv ---------------------------------------------------------------------------------
env_text = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=50), st.text(min_size=4090, max_size=4200))


@SETTINGS
@given(
    name=st.sampled_from(["LLMENV_CACHE_DIR", "LLMENV_CONFIG_DIR", "LLMENV_LOG_DIR", "LLMENV_DATA_DIR"]), value=env_text
)
def test_llmenv_path_variables_of_any_text(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    """LLMENV_* path variables of any text: a path that can be written as UTF-8, or exit 2 naming the variable."""
    from llmenv.paths import log_dir, managed_python_dir
    from llmenv.profiles.locate import config_dir
    from llmenv.verify.smoke.data import cache_dir

    if "\x00" in value:
        return  # an environment value cannot hold NUL: the OS refuses it before llmenv runs
    monkeypatch.setenv(name, value)
    reader = {"LLMENV_CACHE_DIR": cache_dir, "LLMENV_CONFIG_DIR": config_dir, "LLMENV_LOG_DIR": log_dir,
              "LLMENV_DATA_DIR": managed_python_dir}[name]  # fmt: skip
    result = bounded(reader)
    if isinstance(result, Path):
        str(result).encode("utf-8")  # whatever is accepted can be written to a stamp, a log or a terminal


@SETTINGS
@given(args=st.lists(st.one_of(st.sampled_from(["--env", "--env=", "--junit", "-o", "--", ""]), env_text), max_size=6))
def test_argv_of_any_text(args: list[str]) -> None:
    """Any command-line values: accepted, or exit 2 naming the option (bytes that are not UTF-8, an empty --env)."""
    from llmenv.cli.options import check_env_arguments

    bounded(lambda: check_env_arguments(args))
    os.fsencode(" ".join(args))  # argv as the OS passes it is always representable


ERROR_KEYS = ["exit_code", "error", "status", "message"]


@SETTINGS
@given(key=st.sampled_from(ERROR_KEYS), value=json_values, setup=json_values)
def test_error_and_setup_documents_of_any_shape(tmp_path: Path, key: str, value: Any, setup: Any) -> None:
    """A node's `--json` error document and its `setup --json` report with any value: merged, or exit 2."""
    from llmenv.report.merge import load_reports, load_setups, merge, merge_json, node_states

    good, bad = tmp_path / "a.json", tmp_path / "b.json"
    good.write_text(json.dumps(doctor_report()))
    bad.write_bytes(dump({"schema": "llmenv.error/1", key: value}))
    setups = tmp_path / "setups"
    setups.mkdir(exist_ok=True)
    (setups / "b.json").write_bytes(dump({"schema": "llmenv.setup/1", "status": setup, "error": setup}))

    def run() -> str:
        reports = load_reports([good, bad])
        states = node_states(reports, load_setups(setups, list(reports)), None)
        return json.dumps(merge_json(reports, merge(reports), states), allow_nan=False)

    bounded(run)
