"""Hostile and careless command-line values and environment variables: GPU overrides, lock timeouts, env paths,
output files, log folders, encodings and --json on failure."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.hostile.conftest import assert_clean, llmenv, needs_mount, snapshot

PROFILE = "name: p\npython: '>=3.10'\naccelerator: auto\npackages: ['alpha==1.0']\n"


def _profile(folder: Path) -> Path:
    path = folder / "p.yaml"
    path.write_text(PROFILE)
    return path


GPU_OVERRIDES = [
    ("cc-word", {"LLMENV_CUDA_DRIVER": "550.54.14", "LLMENV_GPU_CC": "abc"}, "LLMENV_GPU_CC"),
    ("cc-negative", {"LLMENV_CUDA_DRIVER": "550.54.14", "LLMENV_GPU_CC": "-1"}, "LLMENV_GPU_CC"),
    ("cc-5000-digits", {"LLMENV_CUDA_DRIVER": "550.54.14", "LLMENV_GPU_CC": "9" * 5000}, "LLMENV_GPU_CC"),
    ("cc-three-parts", {"LLMENV_CUDA_DRIVER": "550.54.14", "LLMENV_GPU_CC": "8.0.1"}, "LLMENV_GPU_CC"),
    ("driver-word", {"LLMENV_CUDA_DRIVER": "abc"}, "LLMENV_CUDA_DRIVER"),
    ("driver-5000-digits", {"LLMENV_CUDA_DRIVER": "5" * 5000}, "LLMENV_CUDA_DRIVER"),
]


@pytest.mark.parametrize(("env", "name"), [c[1:] for c in GPU_OVERRIDES], ids=[c[0] for c in GPU_OVERRIDES])
@pytest.mark.parametrize("command", ["setup", "doctor"])
def test_bad_gpu_override(tmp_path: Path, env: dict[str, str], name: str, command: str) -> None:
    """The GPU stand-in variables are user input: a bad value is a usage error naming the variable, for setup's plan
    and for doctor (which used to call `LLMENV_CUDA_DRIVER=abc` ok)."""
    args = (
        ["setup", str(_profile(tmp_path)), "--dry-run", "--offline", "--env", str(tmp_path / "env")]
        if command == "setup"
        else ["doctor", "--offline"]
    )
    result = llmenv(*args, cwd=tmp_path, env=env)
    assert_clean(result, 2, mentions=(name,))
    assert len(result.err) < 2000  # the 5000-digit value is not echoed whole


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_lock_timeout_not_a_finite_number(tmp_path: Path, value: str) -> None:
    result = llmenv(
        "setup",
        str(_profile(tmp_path)),
        "--offline",
        "--env",
        str(tmp_path / "env"),
        f"--lock-timeout={value}",
        cwd=tmp_path,
    )
    assert_clean(result, 2, mentions=("--lock-timeout",))
    assert not (tmp_path / "env.llmenv").exists()


@pytest.mark.parametrize(
    "env_name",
    ["a" * 250, "/".join(["b" * 200] * 25)],
    ids=["name-250-chars", "path-over-4kb"],
)
def test_env_path_too_long(tmp_path: Path, env_name: str) -> None:
    before = snapshot(tmp_path)
    result = llmenv("setup", str(_profile(tmp_path)), "--env", str(tmp_path / env_name), "--offline", cwd=tmp_path)
    assert_clean(result, 2, mentions=("--env", "too long"))
    assert len(result.err) < 1500  # the path is shortened in the message
    assert snapshot(tmp_path, skip=("p.yaml",)) == {k: v for k, v in before.items() if k != "p.yaml"}


def test_rollback_of_a_typo_creates_nothing(tmp_path: Path) -> None:
    result = llmenv("rollback", "--env", "typo", cwd=tmp_path)
    assert_clean(result, 2, mentions=("typo",))
    assert list(tmp_path.iterdir()) == []


def _targets(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    return {
        "folder": folder,
        "missing-parent": tmp_path / "missing" / "out.txt",
        "under-a-file": tmp_path / "p.yaml" / "x",
    }


OUTPUTS = ["folder", "under-a-file"]


@pytest.mark.parametrize("command", ["schema", "export"])
def test_output_in_a_missing_folder_is_created(tmp_path: Path, command: str) -> None:
    """`-o docker/Dockerfile` makes docker/ (as --junit makes its report folder): a missing folder is not an error."""
    profile = _profile(tmp_path)
    target = _targets(tmp_path)["missing-parent"]
    args = ("profiles", "schema") if command == "schema" else ("export", str(profile), "--format", "dockerfile")
    result = llmenv(*args, "-o", str(target), cwd=tmp_path)
    assert result.code == 0, result.err
    assert target.is_file() and target.stat().st_size > 0


@pytest.mark.parametrize("kind", OUTPUTS)
def test_profiles_schema_output_unusable(tmp_path: Path, kind: str) -> None:
    _profile(tmp_path)
    target = _targets(tmp_path)[kind]
    result = llmenv("profiles", "schema", "-o", str(target), cwd=tmp_path)
    assert_clean(result, 2, mentions=("--output",))


@pytest.mark.parametrize("kind", OUTPUTS)
def test_export_output_unusable(tmp_path: Path, kind: str) -> None:
    profile = _profile(tmp_path)
    target = _targets(tmp_path)[kind]
    result = llmenv("export", str(profile), "--format", "dockerfile", "-o", str(target), cwd=tmp_path)
    assert_clean(result, 2, mentions=("--output",))


@pytest.mark.parametrize("kind", ["folder", "under-a-file"])
def test_doctor_junit_unusable(tmp_path: Path, kind: str) -> None:
    """--junit creates missing folders (CI report paths), but a folder or a path under a file is refused at once."""
    _profile(tmp_path)
    target = _targets(tmp_path)[kind]
    result = llmenv("doctor", "--offline", "--junit", str(target), cwd=tmp_path)
    assert_clean(result, 2, mentions=("--junit",))


@pytest.mark.parametrize("kind", ["a-file", "under-a-file"])
def test_lock_output_dir_unusable(tmp_path: Path, kind: str) -> None:
    profile = _profile(tmp_path)
    target = profile if kind == "a-file" else profile / "sub"
    result = llmenv("lock", str(profile), "--accelerator", "cpu", "--output-dir", str(target), cwd=tmp_path, timeout=90)
    assert_clean(result, 2, mentions=("--output-dir",))


@pytest.mark.parametrize("kind", OUTPUTS)
def test_github_step_summary_unusable(tmp_path: Path, kind: str) -> None:
    """A bad GITHUB_STEP_SUMMARY is the runner's problem, not the command's: warn and keep the result's code."""
    _profile(tmp_path)
    target = _targets(tmp_path)[kind]
    result = llmenv(
        "doctor", "--offline", cwd=tmp_path, env={"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(target)}
    )
    assert "Traceback" not in result.text and "internal error" not in result.text, result.err
    assert result.code in (0, 1), result.err
    assert "GITHUB_STEP_SUMMARY" in result.err


@pytest.mark.parametrize("kind", ["a-file", "under-a-file"])
def test_unusable_log_folder(tmp_path: Path, kind: str) -> None:
    profile = _profile(tmp_path)
    log = profile if kind == "a-file" else profile / "logs"
    result = llmenv(
        "setup",
        str(profile),
        "--offline",
        "--env",
        str(tmp_path / "env"),
        "--skip-smoke",
        cwd=tmp_path,
        env={"LLMENV_LOG_DIR": str(log)},
    )
    assert_clean(result, 3, mentions=("LLMENV_LOG_DIR",))


def test_ascii_terminal_with_unicode_path(tmp_path: Path) -> None:
    """PYTHONIOENCODING=ascii (an old ssh session, a C locale) and a file named with a non-ASCII letter."""
    path = tmp_path / "pröfile.yaml"
    path.write_text(PROFILE)
    result = llmenv("profiles", "validate", str(path), cwd=tmp_path, env={"PYTHONIOENCODING": "ascii"})
    assert_clean(result, 0)
    assert "pr" in result.out
    bad = tmp_path / "bäd.yaml"
    bad.write_text("name: Bäd\n")
    result = llmenv("profiles", "validate", str(bad), cwd=tmp_path, env={"PYTHONIOENCODING": "ascii"})
    assert_clean(result, 2)


JSON_FAILURES = [
    ("setup-unknown-profile", ["setup", "no-such-profile", "--json"], 2),
    ("setup-bad-backend", ["setup", "p.yaml", "--backend", "conda", "--json"], 2),
    ("setup-bad-accelerator", ["setup", "p.yaml", "--accelerator", "tpu", "--json"], 2),
    ("doctor-bad-override", ["doctor", "--offline", "--json"], 2),
    ("profiles-show-unknown", ["profiles", "show", "no-such-profile", "--json"], 2),
    ("setup-lock-timeout-nan", ["setup", "p.yaml", "--lock-timeout", "nan", "--json"], 2),
    ("setup-env-name-too-long", ["setup", "p.yaml", "--env", "e" * 300, "--json"], 2),
    ("setup-lock-timeout-word", ["setup", "p.yaml", "--lock-timeout", "abc", "--json"], 2),
    ("doctor-unknown-option", ["doctor", "--no-such-option", "--json"], 2),
    ("probe-bad-override", ["probe", "--json"], 2),
]


@pytest.mark.parametrize(("args", "code"), [c[1:] for c in JSON_FAILURES], ids=[c[0] for c in JSON_FAILURES])
def test_json_failure_is_a_json_document(tmp_path: Path, args: list[str], code: int) -> None:
    """With --json a failing command still prints one JSON document on stdout: the error and the exit code."""
    _profile(tmp_path)
    env = {"LLMENV_CUDA_DRIVER": "abc"} if "override" in " ".join(args) or args[0] in ("doctor", "probe") else {}
    result = llmenv(*args, cwd=tmp_path, env=env)
    assert result.code == code, result.err
    assert "Traceback" not in result.text
    document = json.loads(result.out)
    assert document["exit_code"] == code
    assert document["status"] == "error"
    assert document["error"]["message"]
    assert document["error"]["fix"]
    assert "error:" in result.err.lower()  # the paragraph still goes to stderr for people


def test_environment_untouched_by_refused_commands(tmp_path: Path) -> None:
    """A sample of refusals: none of them leaves a file behind in the working folder."""
    _profile(tmp_path)
    before = snapshot(tmp_path)
    for args in (
        ["setup", "p.yaml", "--backend", "conda"],
        ["setup", "p.yaml", "--accelerator", "tpu"],
        ["rollback", "--env", "nothing-here"],
        ["export", "p.yaml", "--format", "zip"],
    ):
        result = llmenv(*args, cwd=tmp_path)
        assert_clean(result, 2)
    assert snapshot(tmp_path) == before
    assert os.listdir(tmp_path) == ["p.yaml"]


@needs_mount
@pytest.mark.parametrize("command", ["schema", "export", "junit"])
def test_output_on_a_read_only_mount(tmp_path: Path, tmpfs: Any, command: str) -> None:
    """A real read-only bind mount as the output folder: refused before any work, saying it is read-only."""
    profile = _profile(tmp_path)
    folder = tmp_path / "ro"
    folder.mkdir()
    tmpfs.read_only(folder)
    target = str(folder / "out")
    args = {
        "schema": ["profiles", "schema", "-o", target],
        "export": ["export", str(profile), "--format", "dockerfile", "-o", target],
        "junit": ["doctor", "--offline", "--junit", target],
    }[command]
    result = llmenv(*args, cwd=tmp_path)
    assert_clean(result, 2, mentions=("read-only",))
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("kind", ["folder", "missing", "under-a-file"])
def test_profile_path_that_is_not_a_file(tmp_path: Path, kind: str) -> None:
    _profile(tmp_path)
    path = {"folder": tmp_path, "missing": tmp_path / "nope.yaml", "under-a-file": tmp_path / "p.yaml" / "x.yaml"}[kind]
    for args in (["profiles", "validate", str(path)], ["setup", str(path), "--dry-run", "--offline"]):
        result = llmenv(*args, cwd=tmp_path)
        assert_clean(result, 2)
