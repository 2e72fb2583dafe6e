"""The one mirror path: a set naming only a pytorch role serves bundle as it serves setup; `--mirror URL` is a
one-off set; passed-over sets are said in words."""

from __future__ import annotations

import pytest

from llmenv.mirrors.decide import MirrorProbe, choose_mirrors
from llmenv.mirrors.resolve import known, requested
from llmenv.mirrors.sets import MirrorSet
from llmenv.plan.make import Options, make_plan
from llmenv.profiles.load import load_profile
from llmenv.redact import redact_url
from llmenv.workflow.bundle import download_env
from tests.helpers.facts import host

TORCH_ONLY = {"campus": MirrorSet("campus", {"pytorch": "http://127.0.0.1:9/whl/{variant}"})}


def test_bundle_downloads_torch_from_a_set_that_names_only_a_pytorch_mirror() -> None:
    """Before: "mirror set 'campus' names no pypi mirror" (exit 2), while setup took the same set."""
    mirrors = choose_mirrors("campus", "--mirror", TORCH_ONLY, "cpu")
    plan = make_plan(load_profile("torch"), host(), Options(env=".venv", mirrors=mirrors), {})
    assert download_env(plan) == {"PIP_EXTRA_INDEX_URL": "http://127.0.0.1:9/whl/cpu"}
    assert download_env(plan, variant=False) == {}  # llmenv's own wheels: the user's PyPI (or its mirror)


def test_bundle_downloads_from_a_flat_pytorch_mirror_as_find_links_and_the_pypi_mirror_as_index() -> None:
    sets = {"s": MirrorSet("s", {"pypi": "http://m/simple", "pytorch": "http://m/flat/{variant}/"}, "flat")}
    mirrors = choose_mirrors("s", "LLMENV_MIRROR=", sets, "cpu")
    plan = make_plan(load_profile("torch"), host(), Options(env=".venv", mirrors=mirrors), {"http://m/flat/cpu/": True})
    assert download_env(plan) == {"PIP_INDEX_URL": "http://m/simple", "PIP_FIND_LINKS": "http://m/flat/cpu/"}


def test_llmenv_mirror_is_honoured_by_every_command_through_one_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMENV_MIRROR", "tuna")
    assert requested(None, None).name == "tuna" and requested(None, None).by == "LLMENV_MIRROR="
    assert requested("china", None).name == "china"  # the flag wins


def test_a_mirror_url_is_a_one_off_set_with_a_pypi_role_named_without_its_password() -> None:
    url = "https://user:s3cret@pypi.corp.example/simple"
    request = requested(url, None)
    assert request.name == redact_url(url) and "s3cret" not in request.name and request.url == url
    chosen = known(request)[request.name]
    assert chosen.url("pypi") == url and chosen.url("pytorch") is None


def test_auto_says_which_sets_it_passed_over_and_why() -> None:
    sets = {
        "dead": MirrorSet("dead", {"pytorch": "http://dead/{variant}"}),
        "good": MirrorSet("good", {"pytorch": "http://good/{variant}"}),
    }
    probes = [
        MirrorProbe("upstream", "pytorch", "https://download.pytorch.org/whl/cpu", False, 0.01, "dns"),
        MirrorProbe("dead", "pytorch", "http://dead/cpu", False, 0.0, "connection refused"),
        MirrorProbe("good", "pytorch", "http://good/cpu", True, 0.02, "lists torch-2.13.0+cpu-x.whl"),
    ]
    lines = choose_mirrors("auto", "--mirror", sets, "cpu", probes).passed_over()
    assert lines == [
        "pytorch: good (auto: fastest set that serves it (0.02 s; lists torch-2.13.0+cpu-x.whl)); "
        "passed over upstream: failed: dns; dead: failed: connection refused"
    ]
    assert choose_mirrors("good", "--mirror", sets, "cpu").passed_over() == []  # a named set passes none over


def test_export_writes_the_mirror_sets_indexes_into_the_dockerfile_and_the_workflow() -> None:
    """Before: `export` had no --mirror; the image and CI job downloaded from upstream."""
    from llmenv.export.dockerfile import render as dockerfile
    from llmenv.export.workflow import render as workflow

    sets = {"campus": MirrorSet("campus", {"pypi": "http://m/simple", "pytorch": "http://m/whl/{variant}"})}
    mirrors = choose_mirrors("campus", "--mirror", sets, "cpu")
    plan = make_plan(load_profile("torch"), host(), Options(env=".venv", mirrors=mirrors), {"http://m/whl/cpu": True})
    text = dockerfile(plan, "torch", (), "llmenv-0.1.0-py3-none-any.whl")
    assert 'PIP_INDEX_URL="http://m/simple"' in text and "LLMENV_MIRROR=campus" in text
    assert '  pytorch: "http://m/whl/cpu"' in text
    job = workflow(plan, "torch", "torch", "llmenv.whl")
    assert "LLMENV_MIRROR: campus" in job and 'pypi: "http://m/simple"' in job and "mirrors.yaml" in job
    plain = make_plan(load_profile("torch"), host(), Options(env=".venv"), {})
    assert "LLMENV_MIRROR" not in dockerfile(plain, "torch", (), "x.whl") + workflow(plain, "torch", "torch", "x")


def test_export_refuses_a_mirror_url_with_credentials() -> None:
    from llmenv.errors import UsageError
    from llmenv.mirrors.export import exported_set

    sets = {"corp": MirrorSet("corp", {"pypi": "https://u:pw@m/simple"})}
    plan = make_plan(
        load_profile("torch"), host(), Options(env=".venv", mirrors=choose_mirrors("corp", "--mirror", sets, "cpu")), {}
    )
    with pytest.raises(UsageError) as raised:
        exported_set(plan)
    assert "pw" not in str(raised.value) and "credentials" in str(raised.value)
