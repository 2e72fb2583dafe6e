"""A mirror the user names is their decision, in every command (setup, bundle, lock) and by LLMENV_MIRROR: used
even when slow, and when it fails the error names it (URL without credentials) and what its probe saw, never
download.pytorch.org. In the user's world: no pip configuration, no find-links; local servers on 127.0.0.1."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.helpers.mirror_server import MirrorHost, dead_port, serve_mirror, user_world
from tests.integration.test_mirrors import HAVE_TORCH, WHEELS, write_sets


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[tuple[Path, MirrorHost]]:
    user_world(monkeypatch, tmp_path)
    config = tmp_path / "config"
    config.mkdir()
    monkeypatch.setenv("LLMENV_CONFIG_DIR", str(config))
    with serve_mirror(MirrorHost(wheels=WHEELS)) as good:
        # The user's own index answers (their pip configuration); only the PyTorch wheels need a mirror.
        monkeypatch.setenv("PIP_INDEX_URL", f"{good.base}/pypi/simple")
        yield config, good


def dead_set(config: Path) -> str:
    url = f"http://user:s3cret@127.0.0.1:{dead_port()}/whl/{{variant}}"
    write_sets(config, {"dead": {"pytorch": url}})
    return url.replace("s3cret", "****").replace("{variant}", "cpu")  # shown with its password masked


def assert_names_the_dead_mirror(result: CliResult, shown: str) -> None:
    assert result.code == 4, (result.code, result.err)
    fix = result.err.split("Fix:", 1)[-1]
    assert shown in fix and "connection refused" in fix and "set dead" in fix, result.err
    assert "download.pytorch.org" not in result.err and "s3cret" not in result.err + result.out


@pytest.mark.parametrize("how", ["--mirror", "LLMENV_MIRROR"])
def test_bundle_with_a_set_naming_only_pytorch_uses_it_and_names_it_when_down(
    cli: Callable[..., CliResult],
    world: tuple[Path, MirrorHost],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
) -> None:
    """Before: `--mirror dead` was refused ("names no pypi mirror", exit 2) and LLMENV_MIRROR=dead was ignored
    (download.pytorch.org retried for 78 s, exit 4, no Fix line)."""
    shown = dead_set(world[0])
    args = ["bundle", "torch", "--accelerator", "cpu", "-o", str(tmp_path / "b.tar"), "-q"]
    if how == "--mirror":
        args += ["--mirror", "dead"]
    else:
        monkeypatch.setenv("LLMENV_MIRROR", "dead")
    start = time.perf_counter()
    result = cli(*args)
    assert_names_the_dead_mirror(result, shown)
    assert time.perf_counter() - start < 30 and not (tmp_path / "b.tar").exists()


def test_lock_with_a_dead_named_mirror_names_it(
    cli: Callable[..., CliResult], world: tuple[Path, MirrorHost], tmp_path: Path
) -> None:
    shown = dead_set(world[0])
    result = cli("lock", "torch", "--accelerator", "cpu", "--mirror", "dead", "--output-dir", str(tmp_path / "l"))
    assert_names_the_dead_mirror(result, shown)


@pytest.mark.skipif(not HAVE_TORCH, reason="needs /opt/wheels torch-2.13.0+cpu and the /opt/pypi copy")
def test_setup_with_a_dead_named_mirror_fails_naming_it_and_what_its_probe_saw(
    cli: Callable[..., CliResult], world: tuple[Path, MirrorHost], tmp_path: Path
) -> None:
    shown = dead_set(world[0])
    result = cli("setup", "torch", "--env", str(tmp_path / "env"), "--mirror", "dead", "--skip-smoke")
    assert_names_the_dead_mirror(result, shown)


def test_a_slow_named_mirror_is_kept_by_the_plan(cli: Callable[..., CliResult], world: tuple[Path, MirrorHost]) -> None:
    """Slower than the probe's budget (3 s): still the user's choice, planned as the PyTorch source."""
    with serve_mirror(MirrorHost(wheels=WHEELS, delay=4.0)) as slow:
        write_sets(world[0], {"slow": {"pytorch": f"{slow.base}/torch/whl/{{variant}}"}})
        result = cli("setup", "torch", "--dry-run", "--mirror", "slow", "--json", "--env", "e")
    assert result.code == 0, result.err
    plan = json.loads(result.out)["plan"]
    assert not plan["variant_index_fallback"]
    assert plan["indexes"]["pytorch_mirror"] == f"{slow.base}/torch/whl/cpu"
    probe = plan["mirrors"]["roles"]["pytorch"]["probe"]
    assert probe["ok"] is False and "timed out" in probe["saw"]
    assert any("as you named it" in w for w in plan["warnings"])


def test_auto_says_in_normal_output_which_sets_it_passed_over(
    cli: Callable[..., CliResult], world: tuple[Path, MirrorHost]
) -> None:
    config, good = world
    write_sets(config, {"dead": {"pytorch": f"http://127.0.0.1:{dead_port()}/whl/{{variant}}"},
                        "good": {"pytorch": f"{good.base}/torch/whl/{{variant}}"}})  # fmt: skip
    result = cli("setup", "torch", "--dry-run", "--mirror", "auto", "--env", "e")
    assert result.code == 0, result.err
    assert "passed over dead: failed: connection refused" in result.out, result.out
