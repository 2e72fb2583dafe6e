"""Installer-side mirror plumbing, pure: hosts named from uv's and pip's own failure output (recorded here on
2026-11-29 with uv 0.13.9 and pip 24 against download.pytorch.org, which does not resolve on this machine), and the
managed-Python commands."""

from __future__ import annotations

from llmenv.execute.installers import mirror_fix, unreachable_hosts
from llmenv.execute.installers.managed_python import find_command, install_command
from llmenv.plan.managed import ManagedPython

UV_DNS = """Using Python 3.11.7 environment at: uvv
error: Request failed after 3 retries in 7.8s
  cause: Failed to fetch: https://download.pytorch.org/whl/cpu/torch/
  cause: error sending request for url (https://download.pytorch.org/whl/cpu/torch/)
  cause: client error (Connect)
  cause: dns error
  cause: error resolving DNS
  cause: failed to lookup address information: Name or service not known
"""
PIP_DNS = """Looking in indexes: https://download.pytorch.org/whl/cpu
WARNING: Retrying (Retry(total=0, connect=None, read=None, redirect=None, status=None)) after connection broken by \
'NewConnectionError('<pip._vendor.urllib3.connection.HTTPSConnection object at 0x7f40cd5eb090>: Failed to establish \
a new connection: [Errno -2] Name or service not known')': /whl/cpu/torch/
ERROR: Could not find a version that satisfies the requirement torch==2.13.0+cpu (from versions: none)
ERROR: No matching distribution found for torch==2.13.0+cpu
"""
UV_NO_VERSION = """  × No solution found when resolving dependencies:
  ╰─▶ Because there is no version of torch==2.13.0+cpu and you require torch==2.13.0+cpu, we can conclude that your
      requirements are unsatisfiable.
"""


def test_hosts_are_named_from_uv_and_pip_output() -> None:
    assert unreachable_hosts(UV_DNS) == ["download.pytorch.org"]
    assert unreachable_hosts(PIP_DNS) == ["download.pytorch.org"]
    assert unreachable_hosts(UV_NO_VERSION) == []  # a missing version is not a network failure


def test_the_fix_gives_the_whole_command() -> None:
    fix = mirror_fix(["download.pytorch.org"], "llmenv setup torch --env /w/.venv")
    assert fix.startswith("download.pytorch.org could not be reached")
    assert "`llmenv setup torch --env /w/.venv --mirror auto`" in fix


def test_managed_python_commands_stay_out_of_path_and_use_the_mirror() -> None:
    managed = ManagedPython("3.12", "/data/llmenv/python", "https://mirror.example/pbs", "none fits")
    command = install_command(managed)
    assert command.argv[1:] == ["python", "install", "3.12", "--no-bin", "--no-registry"]
    assert command.env["UV_PYTHON_INSTALL_DIR"] == "/data/llmenv/python"
    assert command.env["UV_PYTHON_INSTALL_MIRROR"] == "https://mirror.example/pbs"
    assert "--managed-python" in find_command(managed).argv
    without = install_command(ManagedPython("3.12", "/d", None, "none fits"))
    assert "UV_PYTHON_INSTALL_MIRROR" not in without.env
