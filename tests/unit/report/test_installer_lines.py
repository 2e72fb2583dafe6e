"""Installer output as a clean status line, against output recorded from real uv and pip runs
(tests/data/installer/: uv 0.9 installing torch 2.13.0+cpu from a find-links folder; pip 25 installing two small
wheels from PyPI)."""

from __future__ import annotations

from pathlib import Path

from llmenv.report.installer_lines import installer_status

DATA = Path(__file__).resolve().parents[2] / "data" / "installer"


def statuses(name: str) -> list[str]:
    lines = (DATA / name).read_text().splitlines()
    return [s for s in map(installer_status, lines) if s]


def test_uv_output_becomes_counts_names_and_sizes() -> None:
    """Failed before (as the spinner's text): "installing 6 packages with uv: Using Python 3.11.7 environment at:"."""
    got = statuses("uv-install-torch.txt")
    assert got[0] == "resolved 12 packages"
    assert "downloading sympy (6.0 MiB)" in got and "downloading numpy (16.0 MiB)" in got
    assert "downloaded numpy" in got
    assert got[-2:] == ["prepared 12 packages", "installed 12 packages"]
    assert not any("environment at" in s or s.startswith("+") for s in got)


def test_pip_output_becomes_counts_names_and_sizes() -> None:
    got = statuses("pip-install.txt")
    assert got == [
        "resolving six==1.17.0",
        "downloading six (11 kB)",
        "resolving idna==3.10",
        "downloading idna (70 kB)",
        "installing 2 packages",
        "installed 2 packages",
    ]


def test_noise_is_dropped() -> None:
    for line in ["Using Python 3.11.7 environment at: /x", " + torch==2.13.0+cpu", "Looking in links: /opt/wheels"]:
        assert installer_status(line) is None
