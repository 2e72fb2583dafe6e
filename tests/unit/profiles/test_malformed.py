"""Every malformed profile exits 2 with file:line, the key, what was expected, and no traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult

GOOD_TAIL = "python: '>=3.10'\npackages: ['torch==2.13.0']\n"

CASES: list[tuple[str, str, int, str]] = [
    ("bad_yaml_indent", "name: x\npackages:\n  - torch==2.13.0\n - numpy==2.2.6\n", 4, "invalid YAML"),
    ("bad_yaml_unclosed_quote", "name: x\ndescription: 'never closed\npackages: []\n", 2, "invalid YAML"),
    ("tab_indentation", "name: x\npackages:\n\t- torch==2.13.0\n", 3, "invalid YAML"),
    ("empty_file", "", 1, "the file is empty"),
    ("only_comments", "# nothing here\n", 1, "the file is empty"),
    ("top_level_list", "- name: x\n- packages: []\n", 1, "expected a mapping of keys"),
    (
        "top_level_scalar",
        "just a string\n",
        1,
        "expected a mapping of keys (name, packages, ...) at the top level, found a string",
    ),
    (
        "python_tag",
        "name: x\npython: !!python/object/apply:os.system ['true']\npackages: []\n",
        2,
        "YAML tag !!python/object/apply:os.system is not allowed",
    ),
    (
        "typo_top_level",
        "name: x\n" + "python: '>=3.10'\npakages: ['torch==2.13.0']\n",
        3,
        "at 'pakages' unknown key 'pakages'; did you mean 'packages'?",
    ),
    (
        "typo_nested",
        "name: x\n" + GOOD_TAIL + "checks:\n  imprts: [torch]\n",
        5,
        "at 'checks.imprts' unknown key 'imprts'; did you mean 'imports'?",
    ),
    (
        "typo_in_accelerator",
        "name: x\n" + GOOD_TAIL + "accelerators:\n  cuda:\n    min_cud: '12.6'\n",
        6,
        "at 'accelerators.cuda.min_cud' unknown key 'min_cud'; did you mean 'min_cuda'?",
    ),
    (
        "unknown_accelerator",
        "name: x\n" + GOOD_TAIL + "accelerators:\n  tpu: {}\n",
        5,
        "at 'accelerators.tpu' unknown key 'tpu': expected one of 'cpu', 'cuda', 'rocm' or 'mps'",
    ),
    (
        "packages_not_list",
        "name: x\npython: '>=3.10'\npackages: torch==2.13.0\n",
        3,
        "at 'packages' expected a list, found a string 'torch==2.13.0'",
    ),
    (
        "package_not_string",
        "name: x\npython: '>=3.10'\npackages:\n  - torch==2.13.0\n  - 3\n",
        5,
        "at 'packages[1]' expected a string, found int 3",
    ),
    (
        "bad_requirement",
        "name: x\npython: '>=3.10'\npackages:\n  - torch=2.13.0\n",
        4,
        "at 'packages[0]' expected a PEP 508 requirement such as 'torch==2.13.0', found 'torch=2.13.0'",
    ),
    (
        "bad_python_specifier",
        "name: x\npython: '3.10+'\npackages: ['torch==2.13.0']\n",
        2,
        "at 'python' expected a PEP 440 version specifier such as '>=3.10,<3.13', found '3.10+'",
    ),
    (
        "python_as_number",
        "name: x\npython: 3.11\npackages: ['torch==2.13.0']\n",
        2,
        "at 'python' expected a string, found float 3.11",
    ),
    (
        "unpinned",
        "name: x\npython: '>=3.10'\npackages:\n  - numpy==2.2.6\n  - torch>=2.0\n",
        5,
        "'torch>=2.0' is not pinned",
    ),
    (
        "wildcard_is_not_a_pin",
        "name: x\npython: '>=3.10'\npackages:\n  - torch==2.*\n",
        4,
        "'torch==2.*' is not pinned",
    ),
    (
        "bad_accelerator_value",
        "name: x\naccelerator: gpu\n" + GOOD_TAIL,
        2,
        "at 'accelerator' expected one of 'auto', 'cpu', 'cuda', 'rocm' or 'mps', found a string 'gpu'",
    ),
    (
        "min_accuracy_out_of_range",
        "name: x\n" + GOOD_TAIL + "smoke:\n  framework: torch\n  min_accuracy: 1.5\n",
        6,
        "at 'smoke.min_accuracy' input should be less than or equal to 1, found float 1.5",
    ),
    (
        "smoke_missing_framework",
        "name: x\n" + GOOD_TAIL + "smoke:\n  min_accuracy: 0.8\n",
        4,
        "at 'smoke.framework' missing required key 'framework'",
    ),
    ("missing_name", GOOD_TAIL, 1, "missing required key 'name'"),
    ("bad_name", "name: My Profile\n" + GOOD_TAIL, 1, "at 'name' expected a lowercase name"),
    (
        "duplicate_key",
        "name: x\npackages: ['torch==2.13.0']\npython: '>=3.10'\npackages: ['numpy==2.2.6']\n",
        4,
        "duplicate key 'packages' (first at line 2)",
    ),
    (
        "bad_cuda_version",
        "name: x\n" + GOOD_TAIL + "accelerators:\n  cuda:\n    min_cuda: '12'\n",
        6,
        "expected a CUDA version as MAJOR.MINOR such as '12.6', found '12'",
    ),
    (
        "checks_gpu_bool",
        "name: x\n" + GOOD_TAIL + "checks:\n  gpu: true\n",
        5,
        "at 'checks.gpu' expected one of 'auto', 'required' or 'off', found a boolean",
    ),
    (
        "checks_import_is_code",
        "name: x\n" + GOOD_TAIL + "checks:\n  imports: ['os; os.system(1)']\n",
        5,
        "expected a module name such as 'torch', or 'from MODULE import NAME', found a string 'os; os.system(1)'",
    ),
]


@pytest.mark.parametrize(("case", "text", "line", "expected"), CASES, ids=[c[0] for c in CASES])
def test_malformed_profile_exits_2_with_location(
    cli: Callable[..., CliResult], tmp_path: Path, case: str, text: str, line: int, expected: str
) -> None:
    path = tmp_path / f"{case}.yaml"
    path.write_text(text)
    result = cli("profiles", "validate", str(path))
    assert result.code == 2, result
    assert f"{path}:{line}:" in result.err, result.err
    assert expected in result.err, result.err
    assert "Traceback" not in result.err + result.out
    assert result.err.startswith("error: ")
    assert "Fix: " in result.err


def test_all_problems_in_a_file_are_reported_at_once(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    path.write_text("name: x\npython: 3\npakages: []\nchecks:\n  gpu: maybe\n")
    result = cli("profiles", "validate", str(path))
    assert result.code == 2
    assert "has 3 problems" in result.err
    for line in (2, 3, 5):
        assert f"{path}:{line}:" in result.err


def test_validate_reports_good_and_bad_files(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("name: good\n" + GOOD_TAIL)
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\n" + GOOD_TAIL + "smoke: {}\n")
    result = cli("profiles", "validate", str(good), str(bad))
    assert result.code == 2
    assert f"ok: {good} (profile 'good', 1 packages)" in result.out
    assert f"{bad}:4:" in result.err


def test_allow_unpinned_lets_a_range_through(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    path = tmp_path / "loose.yaml"
    path.write_text("name: loose\npython: '>=3.10'\npackages: ['tqdm>=4']\nallow_unpinned: [tqdm]\n")
    result = cli("profiles", "validate", str(path))
    assert result.code == 0, result.err


def test_schema_and_pin_problems_are_reported_together(cli: Callable[..., CliResult], tmp_path: Path) -> None:
    path = tmp_path / "my.yaml"
    path.write_text("name: my\npython: '>=3.10'\npakages: []\npackages:\n  - numpy==2.2.6\n  - torch>=2.0\n")
    result = cli("profiles", "validate", str(path))
    assert result.code == 2
    assert f"{path}:3: at 'pakages' unknown key 'pakages'; did you mean 'packages'?" in result.err
    assert f"{path}:6: at 'packages[1]' 'torch>=2.0' is not pinned" in result.err
