"""Interpreter choice and the translation of pip's configuration for uv (pure; no installs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from llmenv.errors import HostError
from llmenv.execute.installers.pip import PipInstaller
from llmenv.execute.installers.uv import UvInstaller, source_args
from llmenv.plan.make import Options, make_plan
from llmenv.plan.model import Indexes
from llmenv.probe.interpreters import Command
from llmenv.profiles.load import load_profile
from llmenv.redact import Secret
from tests.helpers.facts import host, interpreter, interpreters


def test_prefers_the_python_on_path_when_it_fits() -> None:
    report = interpreters(
        interpreter("3.11.7", "/usr/bin/python3.11"),
        interpreter("3.12.3", "/opt/py312/bin/python3"),
        commands={
            "python3": Command("python3", "/usr/bin/python3", "/usr/bin/python3.11", "3.11.7", "run", prefix="/usr")
        },
    )
    plan = make_plan(load_profile("torch"), host(interpreters=report), Options(env=".venv"), {})
    assert plan.python.value == "/usr/bin/python3.11" and "`python3` on PATH" in plan.python.why


def test_takes_the_newest_fitting_when_path_python_does_not_fit() -> None:
    report = interpreters(
        interpreter("3.14.0", "/usr/bin/python3.14"),
        interpreter("3.12.3", "/opt/py312/bin/python3"),
        interpreter("3.10.14", "/opt/py310/bin/python3"),
    )
    plan = make_plan(load_profile("tf"), host(interpreters=report), Options(env=".venv"), {})
    assert plan.python.value == "/opt/py312/bin/python3"
    assert ("3.14.0 /usr/bin/python3.14", "3.14.0 is outside >=3.10,<3.14") in plan.python.rejected


def test_no_fitting_python_exits_3_with_install_advice() -> None:
    report = interpreters(interpreter("3.9.18", "/usr/bin/python3.9"), interpreter("3.11.7", "/x/py32", bits=32))
    with pytest.raises(HostError) as info:
        make_plan(load_profile("torch"), host(interpreters=report), Options(env=".venv"), {})
    assert info.value.exit_code == 3
    assert "3.9.18 is outside" in info.value.what and "32-bit" in info.value.what
    assert "uv python install 3.12" in (info.value.fix or "")


def test_requested_python_must_exist() -> None:
    with pytest.raises(HostError, match=r"--python 3\.7 matches none"):
        make_plan(load_profile("torch"), host(), Options(env=".venv", python="3.7"), {})


def test_pip_configuration_becomes_uv_options() -> None:
    indexes = Indexes(
        index_url=Secret("https://u:p@mirror.corp/simple"),
        extra_index_urls=(Secret("file:///opt/pypi/simple"),),
        find_links=("/opt/wheels",),
        no_index=False,
        variant_index=Secret("https://download.pytorch.org/whl/cu126"),
        cert="/etc/ssl/corp.pem",
        client_cert=None,
        trusted_hosts=("mirror.corp",),
        constraints=("/etc/constraints.txt",),
        proxy=Secret("http://proxy:3128"),
    )
    args, env = source_args(indexes)
    assert args == [
        "--index-url", "https://u:p@mirror.corp/simple",
        "--extra-index-url", "https://download.pytorch.org/whl/cu126",
        "--extra-index-url", "file:///opt/pypi/simple",
        "--index-strategy", "unsafe-best-match",
        "--find-links", "/opt/wheels",
        "--allow-insecure-host", "mirror.corp",
    ]  # fmt: skip
    assert env["SSL_CERT_FILE"] == "/etc/ssl/corp.pem" and env["HTTPS_PROXY"] == "http://proxy:3128"
    assert env["UV_PYTHON_DOWNLOADS"] == "never"


def test_installers_run_pip_through_the_env_python_and_pass_constraints_to_uv() -> None:
    plan = make_plan(
        load_profile("torch"), host(), Options(env=".venv"), {"https://download.pytorch.org/whl/cpu": True}
    )
    python = Path("/e/bin/python")
    pip = PipInstaller().install_command(plan, python, None).argv
    assert pip[:4] == ["/e/bin/python", "-m", "pip", "install"]
    assert "--extra-index-url" in pip and "https://download.pytorch.org/whl/cpu" in pip
    assert pip[-2:] == ["torch==2.13.0+cpu", "numpy==2.2.6"]
    uv = UvInstaller().install_command(plan, python, None).argv
    assert uv[1:5] == ["pip", "install", "--python", "/e/bin/python"]
    hashed = UvInstaller().install_command(plan, python, Path("/l/torch.cpu.txt")).argv
    assert hashed[-3:] == ["--require-hashes", "-r", "/l/torch.cpu.txt"]
