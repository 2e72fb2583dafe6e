"""The mirror decision (pure): named sets, auto from probe facts, and how the plan's sources change."""

from __future__ import annotations

from pathlib import Path

from llmenv.execute.installers.pip import PipInstaller
from llmenv.execute.installers.uv import source_args
from llmenv.mirrors.decide import MirrorProbe, choose_mirrors
from llmenv.mirrors.sets import BUILTIN, MirrorSet
from llmenv.plan.make import Options, make_plan
from llmenv.profiles.load import load_profile
from tests.helpers.facts import host

SETS = {s.name: s for s in BUILTIN}
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def test_a_named_set_fills_its_roles_and_leaves_the_rest_upstream() -> None:
    plan = choose_mirrors("aliyun", "--mirror", SETS, "cu126")
    assert plan.url("pypi") == "https://mirrors.aliyun.com/pypi/simple/"
    assert plan.url("pytorch") == "https://mirrors.aliyun.com/pytorch-wheels/cu126/"
    assert plan.get("pytorch").flat and plan.get("pytorch").why == "--mirror aliyun"
    assert plan.url("huggingface") is None and "names no huggingface" in plan.get("huggingface").why


def test_auto_keeps_upstream_where_it_answers_and_takes_the_fastest_serving_set() -> None:
    sets = {
        "dead": MirrorSet("dead", {"pypi": "http://dead/simple"}),
        "slow": MirrorSet("slow", {"pypi": "http://slow/simple", "pytorch": "http://slow/{variant}"}),
        "good": MirrorSet("good", {"pypi": "http://good/simple", "pytorch": "http://good/{variant}"}),
    }
    probes = [
        MirrorProbe("upstream", "pypi", "https://pypi.org/simple", False, 0.01, "dns"),
        MirrorProbe("dead", "pypi", "http://dead/simple", False, 0.01, "connection refused"),
        MirrorProbe("slow", "pypi", "http://slow/simple", True, 2.5, "lists numpy-2.2.6"),
        MirrorProbe("good", "pypi", "http://good/simple", True, 0.05, "lists numpy-2.2.6"),
        MirrorProbe("upstream", "pytorch", CPU_INDEX, True, 0.3, "lists torch-2.13.0+cpu-..."),
        MirrorProbe("good", "pytorch", "http://good/cpu", True, 0.01, "lists torch-2.13.0+cpu-..."),
    ]
    plan = choose_mirrors("auto", "--mirror", sets, "cpu", probes)
    pypi = plan.get("pypi")
    assert (pypi.source, pypi.url) == ("good", "http://good/simple")
    assert dict(pypi.rejected) == {
        "upstream": "failed: dns",
        "dead": "failed: connection refused",
        "slow": "slower (2.50 s); next fallback",
    }
    assert plan.url("pytorch") is None and "upstream answers" in plan.get("pytorch").why  # changes nothing


def test_auto_with_nothing_serving_stays_upstream_and_says_why() -> None:
    probes = [
        MirrorProbe("upstream", "pytorch", CPU_INDEX, False, 0.01, "dns"),
        MirrorProbe("nju", "pytorch", "x", False, 0.2, "its torch-2.13.0+cpu-* links point back to upstream"),
    ]
    role = choose_mirrors("auto", "--mirror", SETS, "cpu", probes).get("pytorch")
    assert role.url is None and role.why == "auto: no set serves it either"
    assert ("nju", "failed: its torch-2.13.0+cpu-* links point back to upstream") in role.rejected


def test_plan_sources_with_a_pep503_pytorch_mirror_and_a_pypi_mirror() -> None:
    mirrors = choose_mirrors("china", "--mirror", SETS, "cpu")
    pytorch_url = "https://mirror.nju.edu.cn/pytorch/whl/cpu"
    plan = make_plan(load_profile("torch"), host(), Options(env=".venv", mirrors=mirrors), {pytorch_url: True})
    assert plan.requirements[0] == "torch==2.13.0+cpu" and not plan.variant_index_fallback
    args, _ = source_args(plan.indexes)
    assert args[:4] == ["--index-url", "https://pypi.tuna.tsinghua.edu.cn/simple", "--extra-index-url", pytorch_url]
    assert CPU_INDEX not in args  # the mirror replaces the variant index, it is not added to it
    pip = PipInstaller().install_command(plan, plan_python(), None).argv
    assert pip[pip.index("--index-url") + 1] == "https://pypi.tuna.tsinghua.edu.cn/simple"
    assert pip[pip.index("--extra-index-url") + 1] == pytorch_url
    assert plan.to_dict()["mirrors"]["roles"]["pytorch"]["source"] == "china"
    # The stamp does not change with the mirror: the same env built from a mirror is the same env.
    upstream = make_plan(load_profile("torch"), host(), Options(env=".venv"), {CPU_INDEX: True})
    assert plan.stamp_key("x") == upstream.stamp_key("x")


def test_a_flat_pytorch_mirror_becomes_find_links_for_uv_and_pip() -> None:
    mirrors = choose_mirrors("aliyun", "--mirror", SETS, "cpu")
    flat = "https://mirrors.aliyun.com/pytorch-wheels/cpu/"
    plan = make_plan(load_profile("torch"), host(), Options(env=".venv", mirrors=mirrors), {flat: True})
    args, _ = source_args(plan.indexes)
    assert args[args.index("--find-links") + 1] == flat and "--extra-index-url" not in args
    pip = PipInstaller().install_command(plan, plan_python(), None).argv
    assert pip[pip.index("--find-links") + 1] == flat


def test_a_named_pytorch_mirror_that_fails_its_check_is_still_used_and_named() -> None:
    """Before: the named mirror was replaced by the configured indexes (a fallback), and the install's error then
    blamed download.pytorch.org. A set the user named is their decision."""
    from llmenv.plan.indexes import install_failure_hint, named_mirror_hint

    url = "https://mirror.nju.edu.cn/pytorch/whl/cpu"
    probes = [MirrorProbe("china", "pytorch", url, False, 0.01, "connection refused (nothing listens on that port)")]
    mirrors = choose_mirrors("china", "--mirror", SETS, "cpu", probes)
    plan = make_plan(load_profile("torch"), host(), Options(env=".venv", mirrors=mirrors), {})
    assert not plan.variant_index_fallback
    source = plan.indexes.variant_source()[0]
    assert source is not None and source.reveal() == url
    assert any("using it anyway, as you named it" in w for w in plan.warnings)
    hint = named_mirror_hint(plan)
    assert hint is not None and url in hint and "connection refused" in hint and "--mirror china" in hint
    assert "download.pytorch.org" not in hint and install_failure_hint(plan) is None


def test_an_auto_chosen_pytorch_mirror_found_unreachable_falls_back_with_a_warning() -> None:
    probes = [
        MirrorProbe("upstream", "pytorch", CPU_INDEX, False, 0.01, "dns"),
        MirrorProbe("china", "pytorch", "https://mirror.nju.edu.cn/pytorch/whl/cpu", True, 0.2, "lists torch"),
    ]
    mirrors = choose_mirrors("auto", "--mirror", {"china": SETS["china"]}, "cpu", probes)
    plan = make_plan(load_profile("torch"), host(), Options(env=".venv", mirrors=mirrors), {})
    assert plan.variant_index_fallback
    assert any(
        "PyTorch mirror https://mirror.nju.edu.cn/pytorch/whl/cpu (set china) is unreachable" in w
        for w in plan.warnings
    )


def plan_python() -> Path:
    return Path("/env/bin/python")


def test_the_cuda_variant_is_substituted_into_the_pytorch_mirror() -> None:
    """Recorded H100 facts (driver 580): the variant chosen for the GPU picks the mirror's matching folder."""
    from llmenv.plan.accelerators import resolve
    from tests.helpers.facts import nvidia

    facts = host(nvidia=nvidia("580.65.06", ("NVIDIA H100 80GB HBM3", "9.0")))
    decision = resolve(load_profile("torch"), facts, "auto")
    assert decision.variant is not None and decision.variant.value == "cu130"
    mirrors = choose_mirrors("china", "--mirror", SETS, decision.variant.value)
    url = "https://mirror.nju.edu.cn/pytorch/whl/cu130"
    plan = make_plan(load_profile("torch"), facts, Options(env=".venv", mirrors=mirrors), {url: True})
    assert plan.requirements[0] == "torch==2.13.0+cu130"
    assert plan.indexes.variant_source()[0] is not None and plan.indexes.variant_source()[0].reveal() == url
    assert (
        plan.indexes.variant_index is not None
        and "download.pytorch.org/whl/cu130" in plan.indexes.variant_index.reveal()
    )


def test_no_managed_python_when_one_fits_or_one_was_named() -> None:
    from llmenv.plan.managed import managed_python
    from llmenv.plan.needs import needs_for
    from tests.helpers.facts import interpreter, interpreters

    needs = needs_for(load_profile("torch"), "cpu")
    only_39 = interpreters(interpreter("3.9.18", "/usr/bin/python3.9"))
    planned = managed_python(only_39, needs, None, True, "/data/python", "https://m/pbs")
    assert planned is not None and planned.minor == "3.12" and "3.9.18" in planned.why
    assert managed_python(interpreters(interpreter("3.11.7")), needs, None, True, "/d", None) is None
    assert managed_python(only_39, needs, "3.9", True, "/d", None) is None  # --python given: its error stands
    assert managed_python(only_39, needs, None, False, "/d", None) is None  # no uv: the install advice stands
    plan = make_plan(
        load_profile("torch"), host(interpreters=only_39), Options(env=".venv", managed_python_dir="/d"), {}
    )
    assert plan.python.value == "install managed CPython 3.12" and plan.python_version == "3.12"
