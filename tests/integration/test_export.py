"""Exports refer only to things that exist: the llmenv the user has (its wheel, written into the build context, or
a source the user names; llmenv is not on PyPI) and the profile at a path that exists relative to where the files
are written. Docker cannot run here, so the build context is checked file by file, and the wheel is installed into
a real venv to prove it is llmenv."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from llmenv import __version__
from tests.conftest import CliResult

REPO = Path(__file__).resolve().parents[2]

PROFILE = "name: my-torch\nextends: torch\npython: '>=3.10'\n"


@pytest.fixture
def project(isolation: Path) -> Path:
    """A project with its own profile in profiles/, as the README tells users to write one."""
    (isolation / "profiles").mkdir()
    (isolation / "profiles" / "my-torch.yaml").write_text(PROFILE)
    return isolation


def copies(dockerfile: str) -> list[tuple[str, str]]:
    """(source, target) of each COPY, in the JSON form the emitters write."""
    return [tuple(json.loads(m)) for m in re.findall(r"^COPY (\[.+\])$", dockerfile, re.M)]  # type: ignore[misc]


def copy_sources(dockerfile: str) -> list[str]:
    return [source for source, _ in copies(dockerfile)]


def exec_runs(dockerfile: str) -> list[list[str]]:
    """The argument lists of the exec-form RUN lines."""
    return [json.loads(m) for m in re.findall(r"^RUN (\[.+\])$", dockerfile, re.M)]


def setup_profile(dockerfile: str) -> str:
    (args,) = [a for a in exec_runs(dockerfile) if a[:2] == ["/opt/llmenv/bin/llmenv", "setup"]]
    return args[2]


@pytest.mark.parametrize("out", ["Dockerfile", "docker/Dockerfile"])
def test_dockerfile_copies_only_what_is_in_its_build_context(
    cli: Callable[..., CliResult], project: Path, out: str
) -> None:
    """Failed before: `COPY my-torch.yaml` (no such file beside the Dockerfile) and `llmenv==0.1.0` from PyPI."""
    result = cli("export", "profiles/my-torch.yaml", "--format", "dockerfile", "-o", out)
    assert result.code == 0, result.err
    dockerfile = project / out
    text = dockerfile.read_text()
    sources = copy_sources(text)
    assert sources, text
    for source in sources:
        assert (dockerfile.parent / source).is_file(), f"COPY {source}: not in the build context {dockerfile.parent}"
    assert f"llmenv=={__version__}" not in text
    assert any(s.endswith(".whl") for s in sources)


def test_dockerfile_profile_is_the_users_profile(cli: Callable[..., CliResult], project: Path) -> None:
    assert cli("export", "profiles/my-torch.yaml", "--format", "dockerfile", "-o", "Dockerfile").code == 0
    text = (project / "Dockerfile").read_text()
    ((source, target),) = [c for c in copies(text) if c[0].endswith(".yaml")]
    assert (project / source).read_text() == PROFILE
    assert setup_profile(text) == target


def test_dockerfile_with_a_named_source_copies_no_wheel(cli: Callable[..., CliResult], project: Path) -> None:
    spec = "git+https://git.example.org/tools/llmenv@v0.1.0"
    assert cli("export", "torch", "--format", "dockerfile", "--llmenv-spec", spec, "-o", "Dockerfile").code == 0
    text = (project / "Dockerfile").read_text()
    assert ["/opt/llmenv/bin/pip", "install", "--no-cache-dir", spec] in exec_runs(text)
    assert not list(project.glob("*.whl"))


def test_dockerfile_on_stdout_needs_a_context_or_a_source(cli: Callable[..., CliResult], project: Path) -> None:
    result = cli("export", "torch", "--format", "dockerfile")
    assert result.code == 2
    assert "Fix:" in result.err and "-o" in result.err


def test_the_wheel_in_the_context_is_this_llmenv(cli: Callable[..., CliResult], project: Path, tmp_path: Path) -> None:
    assert cli("export", "torch", "--format", "dockerfile", "-o", "ctx/Dockerfile").code == 0
    (wheel,) = (project / "ctx").glob("llmenv-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    from llmenv.tools import uv_binary

    uv = uv_binary()
    assert uv
    subprocess.run(
        [
            uv,
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--offline",
            "--python",
            str(venv / "bin" / "python"),
            str(wheel),
        ],
        check=True,
    )
    site = next((venv / "lib").glob("python3*/site-packages"))
    assert (site / "llmenv" / "builtin_profiles" / "torch.yaml").is_file()
    assert (site / "llmenv" / "cli" / "__init__.py").is_file()
    entry = (venv / "bin" / "llmenv").read_text()
    # The same entry point as pyproject.toml's console script.
    import tomllib

    script = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]["llmenv"]
    module, function = script.split(":")
    assert f"from {module} import {function}" in entry, entry
    version = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import llmenv; print(llmenv.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert version.stdout.strip() == __version__


def test_devcontainer_writes_its_dockerfile_and_context(cli: Callable[..., CliResult], project: Path) -> None:
    out = project / ".devcontainer" / "devcontainer.json"
    assert cli("export", "profiles/my-torch.yaml", "--format", "devcontainer", "-o", str(out)).code == 0
    import json

    config = json.loads(out.read_text())
    dockerfile = out.parent / config["build"]["dockerfile"]
    context = out.parent / config["build"]["context"]
    assert dockerfile.is_file()
    for source in copy_sources(dockerfile.read_text()):
        assert (context / source).is_file(), source


def test_workflow_profile_path_exists_from_the_repository_root(cli: Callable[..., CliResult], project: Path) -> None:
    """Failed before: `profile: my-torch.yaml`, which is not at the repository root, and an action that does not
    exist anywhere; the workflow must also not `pip install llmenv` from PyPI."""
    out = project / ".github" / "workflows" / "llmenv.yml"
    out.parent.mkdir(parents=True)
    assert cli("export", "profiles/my-torch.yaml", "--format", "github-actions", "-o", str(out)).code == 0
    text = out.read_text()
    profile = re.search(r"^\s+PROFILE: (\S+)$", text, re.M)
    assert profile and (project / profile.group(1)).is_file(), text
    assert not re.search(r"pip install [^\n]*\bllmenv\b(?![-/.\w])", text)
    spec = re.search(r"^\s+LLMENV_SPEC: (\S+)$", text, re.M)
    assert spec and (project / spec.group(1)).is_file(), text


def test_project_profile_exports_stay_lint_clean(cli: Callable[..., CliResult], project: Path) -> None:
    from tests.integration.test_ci_outputs import tool

    assert cli("export", "profiles/my-torch.yaml", "--format", "dockerfile", "-o", "Dockerfile").code == 0
    lint = subprocess.run(
        [tool("hadolint"), "--failure-threshold", "info", str(project / "Dockerfile")], capture_output=True, text=True
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    workflow = project / ".github" / "workflows" / "llmenv.yml"
    assert cli("export", "profiles/my-torch.yaml", "--format", "github-actions", "-o", str(workflow)).code == 0
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    lint = subprocess.run([tool("actionlint"), str(workflow)], capture_output=True, text=True, cwd=project)
    assert lint.returncode == 0, lint.stdout + lint.stderr


BASE = "name: team-base\nextends: torch\npython: '>=3.10'\n"
CHILD = "name: child\nextends: base.yaml\n"


@pytest.fixture
def chain(isolation: Path) -> Path:
    """profiles/child.yaml extends profiles/base.yaml by a relative path, which extends the built-in torch."""
    (isolation / "profiles").mkdir()
    (isolation / "profiles" / "base.yaml").write_text(BASE)
    (isolation / "profiles" / "child.yaml").write_text(CHILD)
    return isolation


def image_tree(dockerfile: Path, root: Path) -> dict[str, Path]:
    """Do what the Dockerfile's COPY lines do, into `root` standing in for the image's /: Docker cannot run here."""
    import shutil

    placed = {}
    for source, target in copies(dockerfile.read_text()):
        landed = root / target.lstrip("/")
        landed.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(dockerfile.parent / source, landed)
        placed[target] = landed
    return placed


@pytest.mark.parametrize("out", ["out2/Dockerfile", "Dockerfile"])
def test_dockerfile_copies_the_whole_extends_chain(
    cli: Callable[..., CliResult], chain: Path, tmp_path: Path, out: str
) -> None:
    """Failed before: only child.yaml was copied (and COPY'd), so `profiles validate out2/child.yaml` and the
    image's `llmenv setup` both failed with "base.yaml does not exist"."""
    assert cli("export", "profiles/child.yaml", "--format", "dockerfile", "-o", out).code == 0
    dockerfile = chain / out
    for source in copy_sources(dockerfile.read_text()):
        assert (dockerfile.parent / source).is_file(), source
    if out.startswith("out2"):
        checked = cli("profiles", "validate", "out2/child.yaml")
        assert checked.code == 0, checked.err
    placed = image_tree(dockerfile, tmp_path / "image")
    setup = setup_profile(dockerfile.read_text())
    assert setup in placed, dockerfile.read_text()
    assert sorted(p.name for p in placed.values() if p.suffix == ".yaml") == ["base.yaml", "child.yaml"]
    shown = cli("profiles", "show", str(placed[setup]), "--json")
    assert shown.code == 0, shown.err
    assert '"team-base"' in shown.out or "team-base" in shown.out


def test_devcontainer_copies_the_whole_extends_chain(cli: Callable[..., CliResult], chain: Path) -> None:
    out = chain / ".devcontainer" / "devcontainer.json"
    out.parent.mkdir()
    assert cli("export", "profiles/child.yaml", "--format", "devcontainer", "-o", str(out)).code == 0
    assert (out.parent / "base.yaml").read_text() == BASE
    checked = cli("profiles", "validate", str(out.parent / "child.yaml"))
    assert checked.code == 0, checked.err
    for source in copy_sources((out.parent / "Dockerfile").read_text()):
        assert (out.parent / source).is_file(), source


def test_workflow_outside_the_profiles_repository_copies_the_chain(cli: Callable[..., CliResult], chain: Path) -> None:
    """A workflow written into another repository: its PROFILE must load from that repository's root."""
    out = chain / "other" / ".github" / "workflows" / "llmenv.yml"
    out.parent.mkdir(parents=True)
    assert cli("export", "profiles/child.yaml", "--format", "github-actions", "-o", str(out)).code == 0
    profile = re.search(r"^\s+PROFILE: (\S+)$", out.read_text(), re.M)
    assert profile, out.read_text()
    checked = cli("profiles", "validate", str(chain / "other" / profile.group(1)))
    assert checked.code == 0, checked.err


def test_extends_chain_exports_stay_lint_clean(cli: Callable[..., CliResult], chain: Path) -> None:
    from tests.integration.test_ci_outputs import tool

    (chain / "out2").mkdir()
    assert cli("export", "profiles/child.yaml", "--format", "dockerfile", "-o", "out2/Dockerfile").code == 0
    lint = subprocess.run(
        [tool("hadolint"), "--failure-threshold", "info", str(chain / "out2" / "Dockerfile")],
        capture_output=True,
        text=True,
    )
    assert lint.returncode == 0, lint.stdout + lint.stderr
    workflow = chain / ".github" / "workflows" / "llmenv.yml"
    workflow.parent.mkdir(parents=True)
    assert cli("export", "profiles/child.yaml", "--format", "github-actions", "-o", str(workflow)).code == 0
    subprocess.run(["git", "init", "-q"], cwd=chain, check=True)
    lint = subprocess.run([tool("actionlint"), str(workflow)], capture_output=True, text=True, cwd=chain)
    assert lint.returncode == 0, lint.stdout + lint.stderr


def test_an_absolute_extends_path_is_refused_with_the_relative_one(
    cli: Callable[..., CliResult], isolation: Path, tmp_path: Path
) -> None:
    """An absolute `extends` cannot hold inside an image or on a CI runner; before, the export succeeded and the
    build failed later with "base.yaml does not exist"."""
    elsewhere = tmp_path / "shared-profiles"
    elsewhere.mkdir()
    (elsewhere / "base.yaml").write_text(BASE)
    (isolation / "profiles").mkdir()
    (isolation / "profiles" / "child.yaml").write_text(f"name: child\nextends: {elsewhere / 'base.yaml'}\n")
    result = cli("export", "profiles/child.yaml", "--format", "dockerfile", "-o", "out/Dockerfile")
    assert result.code == 2, result.err
    assert "absolute" in result.err and "extends: ../" in result.err, result.err
    assert not (isolation / "out").exists()


def test_a_parent_found_by_name_away_from_its_child_is_refused_with_its_path(
    cli: Callable[..., CliResult], isolation: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In the image a parent named by name is looked up beside its child (or among the built-ins), so one found
    in the user's config folder would not be found there."""
    config = isolation / "config"
    (config / "profiles").mkdir(parents=True)
    (config / "profiles" / "teambase.yaml").write_text(BASE.replace("team-base", "teambase"))
    monkeypatch.setenv("LLMENV_CONFIG_DIR", str(config))
    (isolation / "profiles").mkdir()
    (isolation / "profiles" / "child.yaml").write_text("name: child\nextends: teambase\n")
    assert cli("profiles", "validate", "profiles/child.yaml").code == 0
    result = cli("export", "profiles/child.yaml", "--format", "dockerfile", "-o", "out/Dockerfile")
    assert result.code == 2, result.err
    assert "extends: ../config/profiles/teambase.yaml" in result.err, result.err
