"""Doctor judges the sources the plan will use (a mirror set's, not the upstream it replaces), only for the roles
the plan needs, and agrees with setup. The user's world: pip's configuration removed, no find-links; upstream
PyPI is a dead local port, download.pytorch.org does not resolve here; mirrors are local servers on 127.0.0.1
serving the real torch 2.13.0 CPU wheel from /opt/wheels."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.helpers.mirror_server import MirrorHost, dead_port, serve_mirror, user_world
from tests.integration.test_mirrors import WHEELS, needs_torch, write_sets


@pytest.fixture
def world(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    user_world(monkeypatch, tmp_path)
    config = tmp_path / "config"
    config.mkdir()
    monkeypatch.setenv("LLMENV_CONFIG_DIR", str(config))
    monkeypatch.delenv("LLMENV_MIRROR", raising=False)
    return config


@pytest.fixture
def local(world: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MirrorHost]:
    """A user set `local` whose pytorch role answers; the user's own PyPI index answers too (only PyTorch's
    upstream is out of reach, the usual firewalled case)."""
    with serve_mirror(MirrorHost(wheels=WHEELS)) as host:
        monkeypatch.setenv("PIP_INDEX_URL", f"{host.base}/pypi/simple")
        write_sets(world, {"local": {"pytorch": f"{host.base}/torch/whl/{{variant}}"}})
        yield host


def findings(result: CliResult) -> dict[str, dict[str, str]]:
    return {f["id"]: f for f in json.loads(result.out)["findings"]}


@needs_torch
def test_doctor_with_a_mirror_judges_the_mirror_not_the_upstream_it_replaces(
    cli: Callable[..., CliResult], local: MirrorHost, tmp_path: Path
) -> None:
    """Before: network.index.variant FAILed on download.pytorch.org and the verdict said installs would break,
    while `setup --mirror local` installs from the mirror."""
    result = cli("doctor", "-p", "torch", "--mirror", "local", "--json")
    found = findings(result)
    assert result.code == 0, [f for f in found.values() if f["status"] == "fail"]
    assert not [f for f in found.values() if f["status"] == "fail"]
    assert "download.pytorch.org" not in found["network.index.variant"]["evidence"]
    assert found["network.mirror.pytorch"]["status"] == "ok"
    assert found["network.mirror.pytorch"]["title"] == "pytorch: local answers"
    plan = cli("setup", "torch", "--mirror", "local", "--dry-run", "--json", "--env", str(tmp_path / "e"))
    assert plan.code == 0, plan.err
    assert json.loads(plan.out)["plan"]["mirrors"]["roles"]["pytorch"]["source"] == "local"


@needs_torch
def test_auto_choosing_a_pytorch_mirror_warns_nothing_about_the_upstream_variant_index(
    cli: Callable[..., CliResult], local: MirrorHost, tmp_path: Path
) -> None:
    """Before: the plan picked `local` yet warned "variant index https://download.pytorch.org/whl/cpu is
    unreachable; using the configured indexes..."."""
    result = cli("setup", "torch", "--mirror", "auto", "--dry-run", "--json", "--env", str(tmp_path / "e"))
    assert result.code == 0, result.err
    plan = json.loads(result.out)["plan"]
    assert plan["mirrors"]["roles"]["pytorch"]["source"] == "local"
    assert not [w for w in plan["warnings"] if "unreachable" in w], plan["warnings"]
    assert "unreachable" not in result.err
    doctor = cli("doctor", "-p", "torch", "--mirror", "auto", "--json")
    found = findings(doctor)
    assert doctor.code == 0 and found["network.mirror.pytorch"]["status"] == "ok"
    assert "local" in found["network.mirror.pytorch"]["title"]


def test_doctor_reports_only_the_roles_the_plan_uses(
    cli: Callable[..., CliResult], world: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: huggingface and python WARNed "upstream does not answer" for the torch profile, whose smoke test
    uses no hub model and whose plan needs no managed Python."""
    with serve_mirror(MirrorHost(wheels=WHEELS)) as host:
        monkeypatch.setenv("PIP_INDEX_URL", f"{host.base}/pypi/simple")
        write_sets(world, {"local": {"pytorch": f"{host.base}/torch/whl/{{variant}}"}})
        result = cli("doctor", "-p", "torch", "--mirror", "local", "--json")
    found = findings(result)
    for role in ("huggingface", "python"):
        finding = found.get(f"network.mirror.{role}")
        assert finding is None or (finding["status"] in ("ok", "skip") and "not needed" in finding["title"])
    assert found["network.mirror.pypi"]["status"] == "ok"


@pytest.mark.parametrize("command", ["doctor", "setup"])
def test_an_empty_mirror_name_is_a_usage_error_listing_the_sets(
    cli: Callable[..., CliResult], world: Path, command: str, tmp_path: Path
) -> None:
    """Before: `--mirror ''` was taken as no mirror at all, silently."""
    write_sets(world, {"campus": {"pypi": f"http://127.0.0.1:{dead_port()}/simple"}})
    args = ["doctor", "-p", "torch"] if command == "doctor" else ["setup", "torch", "--dry-run", "--env", "e"]
    result = cli(*args, "--mirror", "")
    assert result.code == 2, (result.code, result.out, result.err)
    assert "--mirror" in result.err and "campus" in result.err and "auto" in result.err
    assert "Traceback" not in result.err


@needs_torch
@pytest.mark.parametrize("layout", ["flat", "index"])
def test_a_local_folder_mirror_is_probed_as_a_folder_and_trusted_by_setup_and_doctor(
    cli: Callable[..., CliResult], world: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, layout: str
) -> None:
    """A `file://` PyTorch mirror (a wheel folder on a share, flat, or a PEP 503 tree with torch/ in it).
    Before: auto rejected it ("Is a directory") and warned "variant index https://download.pytorch.org/whl/cpu is
    unreachable"; `--mirror local` warned "PyTorch mirror file:///... is unreachable" (it was judged as a PEP 503
    index with no project folders)."""
    wheel = next(WHEELS.glob("torch-2.13.0+cpu-*.whl"))
    folder = tmp_path / "share" / "cpu"
    target = folder if layout == "flat" else folder / "torch"
    target.mkdir(parents=True)
    (target / wheel.name).symlink_to(wheel)
    with serve_mirror(MirrorHost(wheels=WHEELS)) as host:
        monkeypatch.setenv("PIP_INDEX_URL", f"{host.base}/pypi/simple")
        pytorch = f"{(tmp_path / 'share').as_uri()}/{{variant}}/"
        write_sets(world, {"local": {"pytorch": pytorch, "pytorch_format": layout}})
        for mirror in ("auto", "local"):
            result = cli("setup", "torch", "--mirror", mirror, "--dry-run", "--json", "--env", str(tmp_path / "e"))
            assert result.code == 0, result.err
            plan = json.loads(result.out)["plan"]
            assert plan["mirrors"]["roles"]["pytorch"]["source"] == "local", plan["mirrors"]["roles"]["pytorch"]
            assert not [w for w in plan["warnings"] if "unreachable" in w], plan["warnings"]
            doctor = cli("doctor", "-p", "torch", "--mirror", mirror, "--json")
            found = findings(doctor)
            assert doctor.code == 0, [f for f in found.values() if f["status"] != "ok"]
            assert found["network.mirror.pytorch"]["status"] == "ok", found["network.mirror.pytorch"]
            assert "lists torch-2.13.0+cpu" in found["network.mirror.pytorch"]["evidence"]


def test_offline_doctor_still_checks_a_local_folder_mirror(
    cli: Callable[..., CliResult], world: Path, tmp_path: Path
) -> None:
    """An air-gapped host's mirror is a folder (a USB disk, a share): `doctor --offline` can look at it without a
    network. Before: with --offline the mirror roles were not judged at all, so a missing or wrong folder showed
    only when setup failed. Wheel names are all a folder probe reads, so empty files stand in for the wheels."""
    share = tmp_path / "share" / "cpu"
    share.mkdir(parents=True)
    write_sets(world, {"usb": {"pytorch": f"{(tmp_path / 'share').as_uri()}/{{variant}}/", "pytorch_format": "flat"}})
    missing = findings(cli("doctor", "-p", "torch", "--mirror", "usb", "--offline", "--json"))
    assert missing["network.mirror.pytorch"]["status"] == "warn", missing["network.mirror.pytorch"]
    assert "lists no torch-2.13.0+cpu" in missing["network.mirror.pytorch"]["evidence"]
    assert "folder must hold" in missing["network.mirror.pytorch"]["fix"]
    (share / "torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl").write_bytes(b"")
    present = findings(cli("doctor", "-p", "torch", "--mirror", "usb", "--offline", "--json"))
    assert present["network.mirror.pytorch"]["status"] == "ok", present["network.mirror.pytorch"]
    assert "lists torch-2.13.0+cpu" in present["network.mirror.pytorch"]["evidence"]


@needs_torch
def test_doctor_agrees_with_setup_when_find_links_carry_the_build(
    cli: Callable[..., CliResult], world: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The machine's configured world in small: find-links hold torch 2.13.0+cpu, the PyTorch index is out of
    reach. Before: network.mirror.pytorch WARNed "upstream does not answer ... add a mirror set" although setup
    takes the build from find-links (and network.index.variant said nothing is needed)."""
    links = tmp_path / "links"
    links.mkdir()
    wheel = next(WHEELS.glob("torch-2.13.0+cpu-*.whl"))
    (links / wheel.name).symlink_to(wheel)
    with serve_mirror(MirrorHost(wheels=WHEELS)) as host:
        monkeypatch.setenv("PIP_INDEX_URL", f"{host.base}/pypi/simple")
        monkeypatch.setenv("PIP_FIND_LINKS", str(links))
        plan = cli("setup", "torch", "--dry-run", "--json", "--env", str(tmp_path / "e"))
        doctor = cli("doctor", "-p", "torch", "--json")
    assert plan.code == 0, plan.err
    assert json.loads(plan.out)["plan"]["variant_index_fallback"] is True
    found = findings(doctor)
    assert doctor.code == 0, [f for f in found.values() if f["status"] == "fail"]
    assert found["network.index.variant"]["status"] == "warn"  # the fallback, said once, with its reason
    pytorch = found["network.mirror.pytorch"]
    assert pytorch["status"] == "skip" and "not needed" in pytorch["title"], pytorch


@pytest.mark.parametrize("mirror", ["good", "auto"])
def test_doctor_does_not_fail_the_index_a_pypi_mirror_replaces(
    cli: Callable[..., CliResult], world: Path, monkeypatch: pytest.MonkeyPatch, mirror: str, tmp_path: Path
) -> None:
    """The user's own index is down; the set's PyPI mirror replaces it for setup (uv and pip get --index-url).
    Before: network.index.index-url FAILed on the replaced index: "1 problem(s) will break installs"."""
    monkeypatch.setenv("PIP_INDEX_URL", f"http://127.0.0.1:{dead_port()}/simple")
    profile = tmp_path / "numpy.yaml"
    profile.write_text("name: numpy\npython: '>=3.10'\npackages: ['numpy==2.2.6']\n")
    with serve_mirror(MirrorHost(wheels=WHEELS)) as host:
        write_sets(world, {"good": {"pypi": f"{host.base}/pypi/simple"}})
        doctor = cli("doctor", "-p", str(profile), "--mirror", mirror, "--json")
    found = findings(doctor)
    assert doctor.code == 0, [f for f in found.values() if f["status"] == "fail"]
    assert found["network.mirror.pypi"]["status"] == "ok" and "good" in found["network.mirror.pypi"]["title"]
    checked = [f for f in found.values() if f["id"].startswith("network.index.index-url")]
    assert checked and all(f["status"] == "ok" and host.base in f["evidence"] for f in checked), checked
