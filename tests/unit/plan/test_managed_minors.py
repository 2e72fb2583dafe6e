"""Managed CPython for any minor the bundled uv can install: read from `uv python list --only-downloads`."""

from __future__ import annotations

from pathlib import Path

from llmenv.plan.managed import PREFERRED_MINORS, managed_python, minor_order
from llmenv.plan.needs import needs_for
from llmenv.probe.uvpython import parse_uv_python_list
from llmenv.profiles.load import load_profile
from tests.helpers.facts import interpreter, interpreters

RECORDED = Path(__file__).parents[2] / "data" / "uv" / "python-list-only-downloads-0.13.9.txt"


def test_parses_the_cpython_minors_of_uvs_own_list_newest_first() -> None:
    """uv 0.13.9 on Linux x86_64: free-threaded builds, the 3.16 alpha, PyPy and GraalPy are left out."""
    minors = parse_uv_python_list(RECORDED.read_text())
    assert minors == ("3.15", "3.14", "3.13", "3.12", "3.11", "3.10", "3.9", "3.8")


def test_parses_installed_lines_windows_keys_and_noise() -> None:
    text = (
        "cpython-3.14.0-windows-x86_64-none                 <download available>\n"
        "cpython-3.13.1+debug-macos-aarch64-none            <download available>\n"
        "\n"
        "warning: something uv printed\n"
        "cpython-3.12.7-linux-aarch64-gnu                   /home/u/.local/share/uv/python/cpython-3.12.7/bin\n"
    )
    assert parse_uv_python_list(text) == ("3.14", "3.12")
    assert parse_uv_python_list("") == ()


def test_the_frameworks_best_supported_minor_comes_first_then_the_closest_others() -> None:
    assert minor_order(("3.15", "3.14", "3.13", "3.12", "3.11", "3.10", "3.9")) == (
        "3.12", "3.11", "3.13", "3.10", "3.14", "3.15", "3.9",
    )  # fmt: skip
    assert minor_order(None) == PREFERRED_MINORS


def test_a_profile_that_needs_314_gets_a_managed_cpython_that_uv_offers(tmp_path: Path) -> None:
    """Before: "run `uv python install 3.14` yourself" (a hard-coded 3.10-3.13 list)."""
    profile_file = tmp_path / "new.yaml"
    profile_file.write_text('name: new\npython: ">=3.14"\npackages: [rich==14.0.0]\n')
    needs = needs_for(load_profile(str(profile_file)), "cpu")
    assert needs.python.contains("3.14.0") and not needs.python.contains("3.13.0")
    found = interpreters(interpreter("3.11.7"))
    offered = parse_uv_python_list(RECORDED.read_text())
    planned = managed_python(found, needs, None, True, "/data/python", None, offered)
    assert planned is not None and planned.minor == "3.14"  # the closest to the supported ones uv offers
    assert managed_python(found, needs, None, True, "/data/python", None, ("3.13", "3.12")) is None
    assert managed_python(found, needs, None, True, "/data/python", None, None) is None
