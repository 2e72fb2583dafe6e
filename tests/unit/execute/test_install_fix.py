"""A failed install's fix names what the installer itself could not reach, not only what the plan expected.

Found by trying setup as a new user: with no network at all (`unshare -n`), or with a dead proxy
(`HTTPS_PROXY=http://127.0.0.1:9`), `llmenv setup torch` failed fetching https://pypi.org/simple/numpy/, and the Fix
line said only "the variant index https://download.pytorch.org/whl/cpu could not be reached, and the configured
indexes and find-links have no torch==2.13.0+cpu build": the plan's hint about the variant index hid what uv
reported (PyPI itself unreachable, or the proxy refusing), so the proxy was never named. The recorded uv outputs
below are the ones seen there."""

from __future__ import annotations

import pytest

from llmenv.execute.build import _install_fix, sources_fix
from llmenv.plan.make import Options, make_plan
from llmenv.plan.model import Plan
from llmenv.process import ProcResult
from llmenv.profiles.load import load_profile
from tests.helpers.facts import host

CPU_INDEX = "https://download.pytorch.org/whl/cpu"

UV_DNS = """error: Request failed after 3 retries in 4.8s
  Caused by: Failed to fetch: `https://pypi.org/simple/numpy/`
  Caused by: error sending request for url (https://pypi.org/simple/numpy/)
  Caused by: client error (Connect)
  Caused by: dns error
  Caused by: failed to lookup address information: Temporary failure in name resolution
"""
UV_PROXY = """error: Request failed after 3 retries in 9.8s
  Caused by: Failed to fetch: `https://pypi.org/simple/numpy/`
  Caused by: error sending request for url (https://pypi.org/simple/numpy/)
  Caused by: client error (Connect)
  Caused by: tunnel error: failed to create underlying connection
  Caused by: tcp connect error
  Caused by: Connection refused (os error 111)
"""
UV_NOT_FOUND = """  x No solution found when resolving dependencies:
  `-> Because there is no version of torch==2.13.0+cpu and you require torch==2.13.0+cpu, we can conclude that
      your requirements are unsatisfiable.
"""

PROXY_VARIABLES = ("HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "HTTP_PROXY", "http_proxy")


@pytest.fixture(autouse=True)
def no_proxy_from_the_shell(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*PROXY_VARIABLES, "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


def _plan_without_the_variant_index() -> Plan:
    plan = make_plan(load_profile("torch"), host(), Options(env=".venv"), {CPU_INDEX: False})
    assert plan.variant_index_fallback and plan.pypi_torch is None
    return plan


def _failed(stderr: str) -> ProcResult:
    return ProcResult(("uv", "pip", "install"), 2, "", stderr, 5.0)


def test_no_network_names_pypi_too() -> None:
    fix, named = _install_fix(_plan_without_the_variant_index(), load_profile("torch"), _failed(UV_DNS))
    assert named and "pypi.org" in fix and "download.pytorch.org" in fix, fix
    assert "have no torch==2.13.0+cpu build" not in fix  # the index was not asked: it could not be reached


@pytest.mark.parametrize("variable", ["HTTPS_PROXY", "https_proxy", "ALL_PROXY"])
def test_a_dead_proxy_is_named_when_the_variant_index_was_unreachable_too(
    monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    monkeypatch.setenv(variable, "http://127.0.0.1:9")
    fix, named = _install_fix(_plan_without_the_variant_index(), load_profile("torch"), _failed(UV_PROXY))
    assert named and "127.0.0.1:9" in fix and f"set by {variable}" in fix, fix
    assert "--mirror" not in fix  # a mirror does not help while every request goes through the proxy


def test_the_variant_hint_stays_when_only_the_labelled_build_is_missing() -> None:
    """PyPI answered but has no +cpu build: the plan's hint is the whole story (unchanged behaviour)."""
    fix, named = _install_fix(_plan_without_the_variant_index(), load_profile("torch"), _failed(UV_NOT_FOUND))
    assert named and "have no torch==2.13.0+cpu build" in fix and "pypi.org" not in fix, fix


def test_lock_takes_the_same_fix() -> None:
    """`llmenv lock` resolves through the same sources: its failure names them the same way (execute/lock.py)."""
    fix = sources_fix(_plan_without_the_variant_index(), UV_DNS, "llmenv lock torch")
    assert fix is not None and "pypi.org" in fix and "`llmenv lock torch --mirror auto`" in fix, fix
