"""The env's Jupyter kernel: a valid name after the env, the data folder Jupyter reads, a spec through the stable
path; and doctor's verdict on what is registered."""

from __future__ import annotations

import json
import re
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from llmenv.plan.jupyter import data_dir, kernel_name, kernel_spec
from llmenv.verify.model import Status

KERNEL_NAME = re.compile(r"^[a-z0-9._-]+$")


@given(st.lists(st.text(min_size=1, max_size=20).filter(lambda p: "/" not in p and "\0" not in p), min_size=1))
def test_any_env_path_gives_a_name_jupyter_accepts(parts: list[str]) -> None:
    env = PurePosixPath("/", *parts)
    name = kernel_name(env)
    assert KERNEL_NAME.match(name) and len(name) <= 60


def test_name_says_which_env_and_two_projects_do_not_collide() -> None:
    first, second = kernel_name(PurePosixPath("/w/proj/.venv")), kernel_name(PurePosixPath("/x/proj/.venv"))
    assert first.startswith("llmenv-proj-venv-") and first != second


def test_data_folder_honours_jupyter_data_dir_then_the_platform() -> None:
    home = Path("/h")
    assert data_dir({"JUPYTER_DATA_DIR": "/j"}, "Linux", home) == Path("/j")
    assert data_dir({}, "Linux", home) == Path("/h/.local/share/jupyter")
    assert data_dir({"XDG_DATA_HOME": "/x"}, "Linux", home) == Path("/x/jupyter")
    assert data_dir({}, "Darwin", home) == Path("/h/Library/Jupyter")
    assert data_dir({"APPDATA": "C:/Users/u/AppData/Roaming"}, "Windows", home) == Path(
        "C:/Users/u/AppData/Roaming/jupyter"
    )


def test_spec_starts_the_env_through_its_stable_path() -> None:
    spec = kernel_spec(PurePosixPath("/w/.venv"), "finetune", "3.11.7", "Linux")
    assert spec["argv"] == ["/w/.venv/bin/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    assert "finetune" in spec["display_name"] and spec["language"] == "python"
    windows = kernel_spec(PurePosixPath("C:/w/.venv"), "finetune", "3.11.7", "Windows")
    assert windows["argv"][0] == "C:/w/.venv/Scripts/python.exe"


@pytest.fixture
def jupyter_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter"))
    return tmp_path / "jupyter"


def write_spec(jupyter_dir: Path, env: Path, argv0: str) -> Path:
    folder = jupyter_dir / "kernels" / kernel_name(env)
    folder.mkdir(parents=True)
    (folder / "kernel.json").write_text(json.dumps({"argv": [argv0, "-m", "ipykernel_launcher"]}))
    return folder / "kernel.json"


def test_doctor_passes_a_kernel_that_starts_the_env(jupyter_dir: Path, tmp_path: Path) -> None:
    from llmenv.verify.env.jupyter import kernel_findings

    env = tmp_path / ".venv"
    write_spec(jupyter_dir, env, str(env / "bin" / "python"))
    (finding,) = kernel_findings(env, True, {"ipykernel": "7.4.0"}, "llmenv setup finetune --env /w/.venv")
    assert finding.status is Status.OK and "ipykernel 7.4.0" in finding.evidence


def test_doctor_fails_a_kernel_bound_to_a_generation_or_missing(jupyter_dir: Path, tmp_path: Path) -> None:
    from llmenv.verify.env.jupyter import kernel_findings

    env = tmp_path / ".venv"
    setup = "llmenv setup finetune --env /w/.venv"
    (missing,) = kernel_findings(env, True, {"ipykernel": "7.4.0"}, setup)
    assert missing.status is Status.FAIL and "JUPYTER_DATA_DIR" in missing.evidence
    assert missing.fix == f"register it again with `{setup} --jupyter`"
    assert kernel_findings(env, False, {}, setup) == []  # nobody asked for one and none is there
    write_spec(jupyter_dir, env, str(tmp_path / ".venv.llmenv" / "gen-1" / "bin" / "python"))
    (moved,) = kernel_findings(env, False, {"ipykernel": "7.4.0"}, setup)
    assert moved.status is Status.FAIL and "gen-1" in moved.evidence and "stable" in moved.evidence


def test_doctor_fails_a_kernel_whose_env_lost_ipykernel(jupyter_dir: Path, tmp_path: Path) -> None:
    from llmenv.verify.env.jupyter import kernel_findings

    env = tmp_path / ".venv"
    write_spec(jupyter_dir, env, str(env / "bin" / "python"))
    (finding,) = kernel_findings(env, True, {}, "llmenv setup x --env e")
    assert finding.status is Status.FAIL and "ipykernel is not installed" in finding.evidence
