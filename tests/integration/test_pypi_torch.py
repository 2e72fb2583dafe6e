"""Issue 23 end to end, in the user's world (no pip configuration, no find-links): download.pytorch.org does not
answer (DNS fails here), only a PyPI index does. A local PyPI stand-in serves a small stand-in torch 2.13.0 wheel
(unlabelled, as PyPI's is) ahead of this machine's /opt/pypi copy, so nothing large is downloaded."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.helpers.mirror_server import MirrorHost, serve_mirror, user_world
from tests.helpers.wheels import make_wheel

pytestmark = pytest.mark.skipif(not Path("/opt/pypi/simple/numpy").is_dir(), reason="needs the /opt/pypi copy")


@pytest.fixture
def pypi(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[MirrorHost]:
    user_world(monkeypatch, tmp_path)
    config = tmp_path / "config"
    config.mkdir()
    monkeypatch.setenv("LLMENV_CONFIG_DIR", str(config))
    extra = tmp_path / "extra"
    make_wheel(extra, "torch", "2.13.0")  # PyPI's build carries no +cpu / +cu130 label in its version
    with serve_mirror(MirrorHost(extra=extra)) as host:
        # A set with only a `pypi` role, as TUNA or Aliyun used for PyPI alone.
        (config / "mirrors.yaml").write_text(f'campus:\n  pypi: "{host.base}/pypi/simple"\n')
        yield host


@pytest.mark.parametrize("backend", ["uv", "pip"])
def test_setup_through_a_set_with_only_a_pypi_role_installs_pypis_build_and_reruns_up_to_date(
    cli: Callable[..., CliResult], pypi: MirrorHost, tmp_path: Path, backend: str
) -> None:
    env = tmp_path / "env"
    argv = ("--env", str(env), "--mirror", "campus", "--skip-smoke", "--backend", backend)
    result = cli("setup", "torch", *argv, "--json")
    assert result.code == 0, result.err
    plan = json.loads(result.out)["plan"]
    assert plan["requirements"][0] == "torch==2.13.0" and plan["variant"]["value"] == "cu130"
    assert plan["pypi_torch"]["source"].startswith("the 'campus' mirror set's pypi role")
    warning = [w for w in plan["warnings"] if "PyPI's build" in w]
    assert len(warning) == 1 and "https://download.pytorch.org/whl/cpu did not answer" in warning[0]
    assert "about" in warning[0] and "for the CPU build" in warning[0]  # the stand-in's HTML page gives no sizes
    version = subprocess.run(
        [str(env / "bin" / "python"), "-c", "import torch; print(torch.__version__)"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert version == "2.13.0"
    assert any("torch-2.13.0-py3-none-any.whl" in d for d in pypi.downloads())
    again = cli("setup", "torch", *argv)
    assert again.code == 0 and "is up to date" in again.out, again.out + again.err


def test_require_pytorch_index_keeps_the_error_naming_the_index_and_mirror(
    cli: Callable[..., CliResult], pypi: MirrorHost, tmp_path: Path
) -> None:
    dry = cli("setup", "torch", "--env", "e", "--mirror", "campus", "--require-pytorch-index", "--dry-run", "--json")
    assert dry.code == 0 and json.loads(dry.out)["plan"]["requirements"][0] == "torch==2.13.0+cpu"
    result = cli("setup", "torch", "--env", str(tmp_path / "env"), "--mirror", "campus", "--require-pytorch-index")
    assert result.code == 4, result.out + result.err
    assert "download.pytorch.org" in result.err and "--mirror" in result.err
    assert not any("torch-2.13.0" in d for d in pypi.downloads())


def test_doctor_predicts_the_fallback_and_its_size(cli: Callable[..., CliResult], pypi: MirrorHost) -> None:
    result = cli("doctor", "-p", "torch", "--mirror", "campus", "--json")
    findings = {f["id"]: f for f in json.loads(result.out)["findings"]}
    variant = findings["network.index.variant"]
    assert variant["status"] == "warn", variant
    assert "setup will install PyPI's build of torch==2.13.0" in variant["title"]
    assert "GB of CUDA libraries" in variant["evidence"] and "for the CPU build" in variant["evidence"]


def test_a_users_own_pypi_proxy_as_index_url_is_the_default_index(
    cli: Callable[..., CliResult], pypi: MirrorHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An Artifactory or Nexus proxy of PyPI set as pip's index-url, no mirror set named."""
    monkeypatch.setenv("PIP_INDEX_URL", f"{pypi.base}/pypi/simple")
    result = cli("setup", "torch", "--env", "e", "--dry-run", "--json")
    assert result.code == 0, result.err
    plan = json.loads(result.out)["plan"]
    assert plan["requirements"][0] == "torch==2.13.0"
    assert plan["pypi_torch"]["source"] == f"the configured index-url {pypi.base}/pypi/simple"


def test_lock_follows_the_same_plan(cli: Callable[..., CliResult], pypi: MirrorHost, tmp_path: Path) -> None:
    result = cli("lock", "torch", "--mirror", "campus", "--output-dir", str(tmp_path / "locks"))
    assert result.code == 0, result.err
    (lock,) = (tmp_path / "locks").glob("*.lock.txt")
    assert ".cu130." in lock.name  # the build PyPI's Linux wheel is, as the plan says
    text = lock.read_text()
    assert "torch==2.13.0 \\" in text and "+cpu" not in text and "--hash=sha256:" in text


def test_a_named_pytorch_mirror_that_does_not_answer_is_never_replaced_by_pypis_build(
    cli: Callable[..., CliResult], pypi: MirrorHost, tmp_path: Path
) -> None:
    from tests.helpers.mirror_server import dead_port

    config = tmp_path / "config"
    dead = f"http://127.0.0.1:{dead_port()}/whl/{{variant}}"
    (config / "mirrors.yaml").write_text(f'both:\n  pypi: "{pypi.base}/pypi/simple"\n  pytorch: "{dead}"\n')
    result = cli("setup", "torch", "--env", "e", "--mirror", "both", "--dry-run", "--json")
    assert result.code == 0, result.err
    plan = json.loads(result.out)["plan"]
    assert plan["pypi_torch"] is None and plan["requirements"][0] == "torch==2.13.0+cpu"
    assert not any("/pypi/simple/torch/" in r for r in pypi.requests)  # PyPI's listing was not even asked


def test_a_pep691_index_gives_the_exact_size_of_the_wheel(
    cli: Callable[..., CliResult], pypi: MirrorHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PyPI answers PEP 691 JSON with each file's size: the warning then says the index's number, not "about"."""
    pypi.pep691 = True
    monkeypatch.setenv("PIP_INDEX_URL", f"{pypi.base}/pypi/simple")
    result = cli("setup", "torch", "--env", "e", "--dry-run", "--json")
    build = json.loads(result.out)["plan"]["pypi_torch"]
    wheel = next(iter(build["pages"]["torch"]))
    assert build["sizes_from_index"] and build["pages"]["torch"][wheel] == build["wheel_bytes"] > 0


@pytest.mark.slow
def test_a_bundle_made_where_only_pypi_answers_carries_pypis_build_says_so_and_sets_up_offline(
    cli: Callable[..., CliResult], pypi: MirrorHost, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tarfile

    from tests.helpers.uv_wheel import pack_dependencies

    assert pypi.extra is not None
    pack_dependencies("llmenv", pypi.extra)  # llmenv's own dependencies, for the bundle's llmenv wheel
    monkeypatch.setenv("PIP_INDEX_URL", f"{pypi.base}/pypi/simple")  # the user's PyPI proxy
    out = tmp_path / "b.tar"
    made = cli("bundle", "torch", "--accelerator", "cpu", "-o", str(out))
    assert made.code == 0, made.err
    assert "warning: the PyTorch index https://download.pytorch.org/whl/cpu did not answer" in made.err
    with tarfile.open(out) as archive:
        names = archive.getnames()
        manifest = json.loads(archive.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert "wheels/torch-2.13.0-py3-none-any.whl" in names and manifest["variants"][0]["build"] == "cu130"
    env = tmp_path / "env"
    result = cli("setup", "--bundle", str(out), "--env", str(env), "--skip-smoke", "--json")
    assert result.code == 0, result.err
    plan = json.loads(result.out)["plan"]
    assert plan["pypi_torch"]["offline"] and plan["requirements"][0] == "torch==2.13.0"


def test_the_setup_json_with_the_fallback_matches_the_published_schema(
    cli: Callable[..., CliResult], pypi: MirrorHost
) -> None:
    import jsonschema

    from llmenv.report.documents import schemas

    result = cli("setup", "torch", "--env", "e", "--mirror", "campus", "--dry-run", "--json")
    report = json.loads(result.out)
    jsonschema.Draft202012Validator(schemas()["setup"]).validate(report)
    assert report["plan"]["pypi_torch"]["variant"] == "cu130"
    wrong = {**report, "plan": {**report["plan"], "pypi_torch": {"variant": 130}}}
    assert not jsonschema.Draft202012Validator(schemas()["setup"]).is_valid(wrong)  # the schema does describe it


def test_export_requirements_follows_the_same_plan_with_no_mirror_named(
    cli: Callable[..., CliResult], pypi: MirrorHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found trying export as a new user where only PyPI answers: `llmenv lock torch` wrote PyPI's build, but
    `llmenv export torch --format requirements` (which resolves against the indexes too) planned offline, pinned
    torch==2.13.0+cpu and failed with exit 4 ("the variant index ... could not be reached")."""
    monkeypatch.setenv("PIP_INDEX_URL", f"{pypi.base}/pypi/simple")
    result = cli("export", "torch", "--format", "requirements")
    assert result.code == 0, result.err
    assert "torch==2.13.0 \\" in result.out and "+cpu" not in result.out and "--hash=sha256:" in result.out


@pytest.mark.parametrize("accelerator", [(), ("--accelerator", "cpu")])
def test_the_dockerfiles_lock_advice_pasted_writes_the_lock_the_next_export_carries(
    cli: Callable[..., CliResult],
    pypi: MirrorHost,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    accelerator: tuple[str, ...],
) -> None:
    """Found by QA: the Dockerfile said "`llmenv lock torch --python 3.11` writes one"; that command wrote PyPI's
    build (torch.cu130...lock.txt) while export, planning offline, looked for torch.cpu..., so the advice repeated
    forever. The advice is run literally here, and the next export must carry the lock it wrote."""
    import re
    import shlex

    monkeypatch.setenv("PIP_INDEX_URL", f"{pypi.base}/pypi/simple")
    monkeypatch.chdir(tmp_path)
    first = cli("export", "torch", "--format", "dockerfile", "-o", "a/Dockerfile", *accelerator)
    assert first.code == 0, first.err
    advice = re.search(r"`(llmenv lock [^`]+)` writes one", (tmp_path / "a" / "Dockerfile").read_text())
    assert advice is not None
    argv = shlex.split(advice.group(1))
    pasted = cli(*argv[1:])
    assert pasted.code == 0, pasted.err
    (lock,) = (tmp_path / "llmenv-locks").glob("torch.*.lock.txt")
    second = cli("export", "torch", "--format", "dockerfile", "-o", "b/Dockerfile", *accelerator)
    assert second.code == 0, second.err
    dockerfile = (tmp_path / "b" / "Dockerfile").read_text()
    assert "No hashed lock" not in dockerfile
    assert f'COPY ["llmenv-locks/{lock.name}", "/opt/llmenv/work/llmenv-locks/{lock.name}"]' in dockerfile
    assert (tmp_path / "b" / "llmenv-locks" / lock.name).read_text() == lock.read_text()
