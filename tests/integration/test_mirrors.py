"""Mirrors end to end, on local servers standing in for the world: pip's configuration removed, no find-links,
upstream unreachable (download.pytorch.org and huggingface.co do not resolve here; the PyPI upstream is a dead
local port named as the user's index). The torch wheel is the real 2.13.0 CPU build from /opt/wheels."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.helpers.mirror_server import MirrorHost, dead_port, serve_mirror, user_world

WHEELS = Path("/opt/wheels")
HAVE_TORCH = bool(list(WHEELS.glob("torch-2.13.0+cpu-*.whl"))) and Path("/opt/pypi/simple/numpy").is_dir()
needs_torch = pytest.mark.skipif(not HAVE_TORCH, reason="needs /opt/wheels torch-2.13.0+cpu and the /opt/pypi copy")


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    user_world(monkeypatch, tmp_path)
    config = tmp_path / "config"
    config.mkdir()
    monkeypatch.setenv("LLMENV_CONFIG_DIR", str(config))
    return config


@pytest.fixture
def good() -> Iterator[MirrorHost]:
    with serve_mirror(MirrorHost(wheels=WHEELS)) as host:
        yield host


def write_sets(config: Path, sets: dict[str, dict[str, str]]) -> None:
    lines = []
    for name, roles in sets.items():
        lines.append(f"{name}:")
        lines += [f'  {key}: "{value}"' for key, value in roles.items()]
    (config / "mirrors.yaml").write_text("\n".join(lines) + "\n")


@needs_torch
@pytest.mark.slow
@pytest.mark.timeout(900)
@pytest.mark.parametrize(("backend", "layout"), [("uv", "index"), ("pip", "flat")])
def test_setup_torch_installs_and_verifies_from_a_mirror_set(
    cli: Callable[..., CliResult], world: Path, good: MirrorHost, tmp_path: Path, backend: str, layout: str
) -> None:
    pytorch = f"{good.base}/torch/whl/{{variant}}" if layout == "index" else f"{good.base}/torch-flat/{{variant}}/"
    write_sets(world, {"campus": {"pypi": f"{good.base}/pypi/simple", "pytorch": pytorch, "pytorch_format": layout}})
    env = tmp_path / "env"
    result = cli(
        "setup", "torch", "--env", str(env), "--mirror", "campus", "--backend", backend, "--skip-smoke", "--json"
    )
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert report["plan"]["mirrors"]["roles"]["pytorch"]["source"] == "campus"
    assert report["plan"]["indexes"]["pytorch_mirror_format"] == layout
    assert {f["id"]: f["status"] for f in report["findings"]}["env.import.torch"] == "ok"
    version = subprocess.run(
        [str(env / "bin" / "python"), "-c", "import torch, numpy; print(torch.__version__, numpy.__version__)"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert version == ["2.13.0+cpu", "2.2.6"]
    downloads = good.downloads()
    assert any("torch-2.13.0+cpu" in d for d in downloads) and any("numpy-2.2.6" in d for d in downloads)
    again = cli("setup", "torch", "--env", str(env), "--mirror", "campus", "--backend", backend, "--skip-smoke")
    assert again.code == 0 and "is up to date" in again.out


@needs_torch
def test_auto_picks_the_answering_set_among_a_dead_a_slow_and_a_good_one_within_budget(
    cli: Callable[..., CliResult], world: Path, good: MirrorHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = f"http://127.0.0.1:{dead_port()}"
    monkeypatch.setenv("PIP_INDEX_URL", f"{dead}/simple")  # the user's own index is down too
    with (
        serve_mirror(MirrorHost(wheels=WHEELS, delay=1.0)) as slow,
        serve_mirror(MirrorHost(wheels=WHEELS, links_upstream=True)) as copycat,
        serve_mirror(MirrorHost(wheels=WHEELS, delay=20.0)) as stalled,
    ):
        sets = {
            "stalled": {"pytorch": f"{stalled.base}/torch/whl/{{variant}}"},
            "dead": {"pypi": f"{dead}/simple", "pytorch": f"{dead}/whl/{{variant}}"},
            "slow": {"pypi": f"{slow.base}/pypi/simple", "pytorch": f"{slow.base}/torch/whl/{{variant}}"},
            "copycat": {"pytorch": f"{copycat.base}/torch/whl/{{variant}}"},
            "good": {"pypi": f"{good.base}/pypi/simple", "pytorch": f"{good.base}/torch/whl/{{variant}}"},
        }
        write_sets(world, sets)
        start = time.perf_counter()
        result = cli("setup", "torch", "--dry-run", "--mirror", "auto", "--json", "--env", "e")
        seconds = time.perf_counter() - start
    assert result.code == 0, result.err
    roles = json.loads(result.out)["plan"]["mirrors"]["roles"]
    assert roles["pypi"]["source"] == "good" and roles["pytorch"]["source"] == "good"
    passed = {r["value"]: r["why"] for r in roles["pytorch"]["rejected"]}
    assert passed["dead"].startswith("failed:") and passed["slow"].startswith("slower")
    assert "point back to download-r2.pytorch.org" in passed["copycat"]
    assert "failed" in passed["upstream"] and passed["stalled"].startswith("failed")  # cut at the budget
    assert seconds < 8.0, seconds  # probes run at once within ~3 s; the rest is the host probe


def test_auto_changes_nothing_where_upstream_answers(
    cli: Callable[..., CliResult], world: Path, good: MirrorHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", f"{good.base}/pypi/simple")  # the user's index answers
    write_sets(world, {"other": {"pypi": f"{good.base}/pypi/simple"}})
    result = cli("setup", "torch", "--dry-run", "--mirror", "auto", "--json", "--env", "e")
    pypi = json.loads(result.out)["plan"]["mirrors"]["roles"]["pypi"]
    assert pypi["source"] == "upstream" and pypi["url"] is None and "upstream answers" in pypi["why"]


def test_doctor_reports_sources_and_suggests_auto_when_upstream_fails_while_a_set_answers(
    cli: Callable[..., CliResult], world: Path, good: MirrorHost, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PIP_INDEX_URL", f"http://127.0.0.1:{dead_port()}/simple")
    write_sets(world, {"good": {"pypi": f"{good.base}/pypi/simple", "huggingface": f"{good.base}/hf"}})
    result = cli("doctor", "-p", "torch", "--json")
    findings = {f["id"]: f for f in json.loads(result.out)["findings"]}
    pypi = findings["network.mirror.pypi"]
    assert pypi["status"] == "warn" and "upstream does not answer" in pypi["title"]
    assert "`llmenv setup torch --mirror auto`" in pypi["fix"] and "good" in pypi["fix"]
    chosen = json.loads(cli("doctor", "-p", "torch", "--json", "--mirror", "good").out)
    ok = {f["id"]: f for f in chosen["findings"]}["network.mirror.pypi"]
    assert ok["status"] == "ok" and ok["title"] == "pypi: good answers" and "lists numpy-2.2.6" in ok["evidence"]


@needs_torch
def test_lock_from_a_mirror_carries_no_urls(
    cli: Callable[..., CliResult], world: Path, good: MirrorHost, tmp_path: Path
) -> None:
    write_sets(world, {"campus": {"pypi": f"{good.base}/pypi/simple", "pytorch": f"{good.base}/torch/whl/{{variant}}"}})
    result = cli("lock", "torch", "--mirror", "campus", "--output-dir", str(tmp_path / "locks"))
    assert result.code == 0, result.err
    (lock,) = (tmp_path / "locks").glob("*.lock.txt")
    text = lock.read_text()
    assert "torch==2.13.0+cpu" in text and "--hash=sha256:" in text
    assert "127.0.0.1" not in text and "http" not in text.replace("# llmenv", "")


@needs_torch
def test_setup_failing_on_an_unreachable_host_names_it_and_suggests_mirror(
    cli: Callable[..., CliResult], world: Path, good: MirrorHost, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Before: exit 4 with "no version of torch==2.13.0+cpu" and nothing about download.pytorch.org."""
    monkeypatch.setenv("PIP_INDEX_URL", f"{good.base}/pypi/simple")  # PyPI answers; the PyTorch index does not
    result = cli("setup", "torch", "--env", str(tmp_path / "env"), "--skip-smoke", "--backend", "uv")
    assert result.code == 4
    fix = result.err.split("Fix:", 1)[-1]
    assert "download.pytorch.org" in fix and "could not be reached" in result.err and "--mirror" in fix


def test_smoke_with_an_unreachable_hub_fails_in_seconds_naming_it(
    cli: Callable[..., CliResult], world: Path, tmp_path: Path
) -> None:
    """Before: a traceback after about 55 s of retries."""
    env = tmp_path / "e"  # an env to test in: its interpreter is all `smoke` asks for before the hub
    (env / "bin").mkdir(parents=True)
    (env / "bin" / "python").symlink_to(sys.executable)
    start = time.perf_counter()
    result = cli("smoke", "--model", "bert-base-uncased", "--framework", "transformers", "--env", str(tmp_path / "e"))
    seconds = time.perf_counter() - start
    assert result.code == 3 and "Traceback" not in result.err + result.out
    assert "model hub huggingface.co" in result.err
    assert (
        f"`llmenv smoke --model bert-base-uncased --env {tmp_path / 'e'} --framework transformers --mirror hf-mirror`"
        in result.err
    )
    assert seconds < 10, seconds
    dead = f"http://127.0.0.1:{dead_port()}"
    write_sets(world, {"campus": {"huggingface": f"{dead}/hf"}})
    result = cli(
        "smoke", "--model", "bert-base-uncased", "--framework", "transformers", "--mirror", "campus", "--env", str(env)
    )
    assert result.code == 3 and "model hub 127.0.0.1 (mirror set campus)" in result.err


def test_the_envs_checks_and_smoke_runs_get_hf_endpoint_from_the_set(
    cli: Callable[..., CliResult], world: Path, tmp_path: Path
) -> None:
    """A module imported by the env's checks records the HF_ENDPOINT it sees; the smoke run's environment gets it."""
    from llmenv.workflow.smoke import SmokeOptions, _hub_env
    from tests.helpers.wheels import make_wheel

    out = tmp_path / "seen.txt"
    code = f"import os\nopen({str(out)!r}, 'w').write(os.environ.get('HF_ENDPOINT', '-'))\n"
    extra = tmp_path / "extra"
    make_wheel(extra, "hfprobe", "1.0", code=code)
    with serve_mirror(MirrorHost(extra=extra)) as host:
        write_sets(world, {"campus": {"pypi": f"{host.base}/pypi/simple", "huggingface": f"{host.base}/hf/"}})
        profile = tmp_path / "hf.yaml"
        profile.write_text("name: hf\npython: '>=3.10'\npackages: ['hfprobe==1.0']\nchecks:\n  imports: [hfprobe]\n")
        result = cli("setup", str(profile), "--env", str(tmp_path / "env"), "--mirror", "campus", "--skip-smoke")
        assert result.code == 0, result.err
        assert out.read_text() == f"{host.base}/hf"
        env, imdb = _hub_env(SmokeOptions(mirror="campus"), None)
        assert env == {"HF_ENDPOINT": f"{host.base}/hf", "HF_HUB_DISABLE_XET": "1"} and imdb is None
    assert "HF_ENDPOINT" not in __import__("os").environ  # restored after setup


def test_a_mirror_with_credentials_is_probed_with_them_and_never_shows_them(
    cli: Callable[..., CliResult], world: Path, tmp_path: Path
) -> None:
    from tests.helpers.index_server import IndexServer, serve
    from tests.helpers.wheels import make_wheel

    make_wheel(tmp_path / "wheels", "tinyx", "1.0")
    profile = tmp_path / "tiny.yaml"
    profile.write_text("name: tiny\npython: '>=3.10'\npackages: ['tinyx==1.0']\n")
    with serve(IndexServer(tmp_path / "wheels", auth=("u", "s3cret"))) as index:
        write_sets(world, {"private": {"pypi": index.url_with_auth()}})
        doctor = cli("doctor", "-p", str(profile), "--json", "--mirror", "private")
        plan = cli("setup", str(profile), "--dry-run", "--json", "--mirror", "private", "--env", "e")
    finding = {f["id"]: f for f in json.loads(doctor.out)["findings"]}["network.mirror.pypi"]
    assert finding["status"] == "ok" and "lists tinyx-1.0" in finding["evidence"]  # authenticated
    assert "s3cret" not in doctor.out + doctor.err + plan.out + plan.err
    assert json.loads(plan.out)["plan"]["mirrors"]["roles"]["pypi"]["url"].startswith("http://u:****@127.0.0.1")
