"""Property-based: whatever YAML a user writes and whatever values they pass, loading and planning end in llmenv's
own errors (a paragraph and an exit code) or a result, never another exception, within a time and memory bound.

Hypothesis generates documents shaped like profiles (the schema's keys, with values of every YAML type and
strings chosen to trip the validators), raw text with YAML punctuation and control characters, and values for the
GPU override variables and --python."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmenv.errors import LlmenvError
from llmenv.profiles.load import read_profile_file, resolve
from llmenv.profiles.model import CONCRETE_ACCELERATORS, Profile
from tests.helpers.facts import host

SECONDS = 3.0
PEAK_BYTES = 64 * 1024 * 1024

TRICKY = [
    "torch==2.13.0",
    "torch===>2.13",
    "torch===2.13",
    "alpha>=1",
    "numpy==2.*",
    "tensorflow[and-cuda]==2.20.0",
    "x==1; python_version<'3'",
    ">=3.10,<3.13",
    "3.10",
    ">=3.99",
    "off",
    "required",
    "auto",
    "cpu",
    "cuda",
    "rocm",
    "mps",
    "12.6",
    "99.9",
    "https://download.pytorch.org/whl/{variant}",
    "{variant}",
    "../../etc/passwd",
    "",
    "\u202e",
    "ü",
]
KEYS = [
    "name",
    "description",
    "extends",
    "python",
    "env",
    "accelerator",
    "packages",
    "allow_unpinned",
    "accelerators",
    "checks",
    "smoke",
    "imports",
    "gpu",
    "versions",
    "framework",
    "min_accuracy",
    "time_budget_s",
    "epochs",
    "index_url",
    "index_packages",
    "remove",
    "min_cuda",
    *CONCRETE_ACCELERATORS,
]

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(TRICKY),
)
keys = st.one_of(st.sampled_from(KEYS), st.text(min_size=1, max_size=10))
values = st.recursive(
    scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4), max_leaves=25
)
documents = st.fixed_dictionaries(
    {"name": st.one_of(st.sampled_from(["p", "my-profile", "Bad Name"]), st.text(max_size=10))},
    optional=dict.fromkeys(KEYS[1:11], values),
)
# Mostly valid profiles with one or two keys replaced, so planning is reached often, not only loading.
near_valid = st.builds(
    lambda changes: {"name": "p", "python": ">=3.10", "packages": ["alpha==1.0"], **changes},
    st.dictionaries(st.sampled_from(KEYS[1:11]), values, max_size=2),
)
raw_text = st.text(
    alphabet=st.one_of(st.sampled_from(list("-:[]{}!&*#|>'\"%@`,?\n\t \x00\x01\x7f\x85\ufeff")), st.characters()),
    max_size=200,
)
SETTINGS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


def _load(path: Path) -> Profile | None:
    """Load one file; llmenv's own errors are the expected outcome for bad input, anything else fails the test."""
    try:
        return resolve(read_profile_file(path), cwd=path.parent)
    except LlmenvError as exc:
        assert exc.render().strip()
        return None


def _bounded(fn: Any, *args: Any, memory: bool = False) -> Any:
    """Time always; memory (tracemalloc, which slows Python several times) only where asked."""
    if memory:
        tracemalloc.start()
    start = time.perf_counter()
    try:
        return fn(*args)
    finally:
        elapsed = time.perf_counter() - start
        if memory:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            assert peak < PEAK_BYTES, f"peak {peak / 1e6:.0f} MB"
        assert elapsed < SECONDS * (4 if memory else 1), f"took {elapsed:.2f} s"


def _plan(profile: Profile, tmp_path: Path, python: str | None = None) -> None:
    from llmenv.plan.make import Options, make_plan

    for accelerator in ("auto", "cpu", "cuda"):
        try:
            make_plan(profile, host(), Options(env=str(tmp_path / "env"), accelerator=accelerator, python=python), {})
        except LlmenvError as exc:
            assert exc.render().strip()


@SETTINGS
@given(document=st.one_of(documents, near_valid))
def test_generated_profiles_load_and_plan_or_fail_cleanly(tmp_path: Path, document: dict[str, Any]) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    profile = _bounded(_load, path, memory=True)
    if profile is not None:
        _bounded(_plan, profile, tmp_path)


@SETTINGS
@given(text=raw_text)
def test_raw_text_fails_cleanly(tmp_path: Path, text: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    _bounded(_load, path)


@SETTINGS
@given(head=st.sampled_from(["[", "{a: ", "- ", "  a:\n"]), depth=st.integers(min_value=1, max_value=2000))
def test_any_nesting_depth_fails_cleanly(tmp_path: Path, head: str, depth: int) -> None:
    """Nesting from shallow to far past Python's recursion limit: a located error, never RecursionError."""
    if head == "  a:\n":
        body = "".join("  " * i + "a:\n" for i in range(depth))
    else:
        close = {"[": "]", "{a: ": "}", "- ": ""}[head]
        body = head * depth + "x" + close * depth
    path = tmp_path / "p.yaml"
    path.write_text(f"name: p\npython: '>=3.10'\npackages: ['a==1']\ndescription:\n  {body}\n", encoding="utf-8")
    _bounded(_load, path)


@SETTINGS
@given(
    driver=st.one_of(st.text(max_size=12), st.sampled_from(["550.54.14", "5" * 5000, "-1", "1e9"])),
    cc=st.one_of(st.none(), st.text(max_size=8), st.sampled_from(["8.0", "9" * 5000, "-1", "8.0,9.0", "abc"])),
)
def test_gpu_override_values_fail_cleanly(driver: str, cc: str | None) -> None:
    """Any LLMENV_CUDA_DRIVER / LLMENV_GPU_CC: accepted and then planned without error, or a usage error."""
    from llmenv.probe.overrides import check_gpu_overrides

    environ = {"LLMENV_CUDA_DRIVER": driver, **({"LLMENV_GPU_CC": cc} if cc is not None else {})}
    try:
        _bounded(check_gpu_overrides, environ)
    except LlmenvError as exc:
        assert exc.exit_code == 2
        assert len(exc.render()) < 600


@SETTINGS
@given(python=st.one_of(st.text(max_size=12), st.sampled_from(["3.12", "/nope/python", "3", "", "../x", "3.11.7"])))
def test_python_values_plan_or_fail_cleanly(tmp_path: Path, python: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("name: p\npython: '>=3.10'\npackages: ['alpha==1.0']\n", encoding="utf-8")
    profile = _load(path)
    assert profile is not None
    _bounded(_plan, profile, tmp_path, python)


@pytest.mark.parametrize("accelerator", ["tpu", "", "CUDA", "cuda ", "\x00"])
def test_profiles_show_accelerator_values(cli: Any, tmp_path: Path, accelerator: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text("name: p\npython: '>=3.10'\npackages: ['alpha==1.0']\n", encoding="utf-8")
    result = cli("profiles", "show", str(path), "--accelerator", accelerator)
    assert result.code == 2
    assert "Fix:" in result.err and "Traceback" not in result.err
