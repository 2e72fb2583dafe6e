"""`llmenv setup --jupyter`: a real Jupyter client (jupyter_client, as Jupyter and VS Code use it) starts the env's
kernel, before and after a new generation; doctor checks it; the finetune stack imports in its kernel (run in CI).

ipykernel and its dependencies come from PyPI (the user's world: no pip configuration)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from llmenv.plan.jupyter import kernel_name
from tests.conftest import CliResult

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]


def run_in_kernel(name: str, code: str, timeout: float = 240.0) -> str:
    """Start the registered kernel `name` with jupyter_client, run `code`, return what it printed."""
    from jupyter_client.manager import start_new_kernel

    manager, client = start_new_kernel(kernel_name=name, startup_timeout=timeout)
    out: list[str] = []
    try:
        reply = client.execute_interactive(
            code, timeout=timeout, output_hook=lambda m: out.append(m["content"].get("text", ""))
        )
        assert reply["content"]["status"] == "ok", reply["content"]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return "".join(out)


@pytest.fixture
def jupyter_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter"))
    monkeypatch.setenv("PIP_CONFIG_FILE", "/dev/null")  # the user's world: PyPI only
    monkeypatch.delenv("PIP_FIND_LINKS", raising=False)
    return tmp_path / "jupyter"


def test_setup_jupyter_registers_a_kernel_that_survives_a_new_generation(
    cli: Callable[..., CliResult], jupyter_home: Path, tmp_path: Path
) -> None:
    profile = tmp_path / "nb.yaml"
    profile.write_text("name: nb\npython: '>=3.10'\naccelerator: cpu\npackages: ['six==1.17.0']\n")
    env = tmp_path / "proj" / ".venv"
    result = cli("setup", str(profile), "--env", str(env), "--jupyter", "--skip-smoke", "--json")
    assert result.code == 0, result.out + result.err
    name = kernel_name(env)
    spec = json.loads((jupyter_home / "kernels" / name / "kernel.json").read_text())
    assert spec["argv"][0] == str(env / "bin" / "python")  # the stable path, not gen-1
    first = run_in_kernel(name, "import os, sys, six; print(os.path.realpath(sys.prefix), six.__version__)")
    assert "gen-1" in first and "1.17.0" in first

    doctor = cli("doctor", "--env", str(env), "--profile", str(profile), "--offline", "--json")
    findings = {f["id"]: f for f in json.loads(doctor.out)["findings"]}
    assert findings["env.jupyter"]["status"] == "ok", findings.get("env.jupyter")

    again = cli("setup", str(profile), "--env", str(env), "--jupyter", "--skip-smoke", "--force")
    assert again.code == 0, again.out + again.err
    assert f"jupyter: Jupyter kernel {name} registered" in " ".join(again.out.split())  # said where it is
    second = run_in_kernel(name, "import os, sys; print(os.path.realpath(sys.prefix))")
    assert "gen-2" in second  # the same kernel now starts the new generation

    # Failed before: a re-run without --jupyter planned the profile without ipykernel and built gen-3 without it.
    plain = cli("setup", str(profile), "--env", str(env), "--skip-smoke")
    assert plain.code == 0 and "up to date" in plain.out, plain.out + plain.err


def test_finetune_stack_imports_in_the_envs_kernel(finetune_env: Path, jupyter_home: Path) -> None:
    from llmenv.execute.jupyter import register_kernel
    from llmenv.tools import uv_binary

    uv = uv_binary()
    assert uv
    python = str(finetune_env / "bin" / "python")
    subprocess.run([uv, "pip", "install", "-q", "--python", python, "ipykernel==7.4.0"], check=True, timeout=300)
    register_kernel(finetune_env, "finetune", "3.11")
    code = (
        "import torch, peft, accelerate, datasets, tensorboard\n"
        "from transformers import BertForSequenceClassification\n"
        "print('stack', torch.__version__, peft.__version__, BertForSequenceClassification.__name__)"
    )
    out = run_in_kernel(kernel_name(finetune_env), code)
    assert "stack 2.13.0" in out and "0.21.2 BertForSequenceClassification" in out
