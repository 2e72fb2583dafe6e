"""Reading what an env holds from its metadata folder names, without starting its Python."""

from __future__ import annotations

from pathlib import Path

from llmenv.probe.installed import installed_distributions, requirements_in


def test_names_and_versions_come_from_dist_info_folders(tmp_path: Path) -> None:
    site = tmp_path / "lib" / "python3.11" / "site-packages"
    for name in ("torch-2.13.0+cpu.dist-info", "typing_extensions-4.16.0.dist-info", "Old.Pkg-1.0-py3.11.egg-info"):
        (site / name).mkdir(parents=True)
    (site / "torch").mkdir()
    (site / "torch-2.13.0+cpu.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: torch\nRequires-Dist: sympy>=1.13.3\n\nRequires-Dist: not a header\n"
    )
    assert installed_distributions(tmp_path) == {
        "torch": "2.13.0+cpu",
        "typing-extensions": "4.16.0",
        "old-pkg": "1.0",
    }
    assert [(r.dependent, r.dependent_version, r.requirement) for r in requirements_in(tmp_path)] == [
        ("torch", "2.13.0+cpu", "sympy>=1.13.3")
    ]


def test_a_missing_env_has_nothing_installed(tmp_path: Path) -> None:
    assert installed_distributions(tmp_path / "gone") == {}
