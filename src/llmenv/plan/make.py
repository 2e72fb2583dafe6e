"""make_plan: (profile, host facts, options) -> Plan. Pure: every input is data, nothing is read or run here."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from llmenv.errors import HostError
from llmenv.mirrors.decide import MirrorPlan, MirrorProbe, choose_mirrors, no_mirrors
from llmenv.mirrors.sets import MirrorSet
from llmenv.plan.accelerators import resolve
from llmenv.plan.indexes import indexes_from, pin_variant, with_mirrors
from llmenv.plan.managed import managed_python
from llmenv.plan.model import AcceleratorDecision, Choice, Plan
from llmenv.plan.needs import needs_for
from llmenv.plan.pypi_torch import PypiBuild, pypi_build, with_pypi_build
from llmenv.plan.python import choose_interpreter, reject_reason
from llmenv.probe import HostFacts
from llmenv.probe.torch_sources import TorchSources
from llmenv.profiles.model import Profile
from llmenv.redact import redact_url


@dataclass(frozen=True)
class Options:
    env: str
    accelerator: str = "auto"
    backend: str = "auto"  # auto | uv | pip
    python: str | None = None
    uv_available: bool = True
    lock_file: str | None = None
    overrides: tuple[str, ...] = ()
    offline: bool = False
    mirrors: MirrorPlan = field(default_factory=no_mirrors)
    managed_python_dir: str | None = None  # where a managed CPython goes when none fits (None: never plan one)
    pypi_torch: bool = True  # PyPI's build may stand in when no PyTorch index answers (--require-pytorch-index: no)
    managed_minors: tuple[str, ...] | None = None  # what the bundled uv can install (None: its list is unknown)


@dataclass(frozen=True)
class Early:
    """The decisions the source probes need before the plan can be made, each made once, here: the accelerator
    and its build (which PyTorch index a mirror must serve) and the mirror roles this plan needs."""

    decision: AcceleratorDecision
    roles: tuple[str, ...]

    @property
    def variant(self) -> str | None:
        return self.decision.variant.value if self.decision.variant else None

    @property
    def chosen(self) -> tuple[str, str | None]:
        """(accelerator, variant): what the source probes look for."""
        return self.decision.accelerator.value, self.variant


def early_decisions(profile: Profile, facts: HostFacts, options: Options) -> Early:
    """HostError when the accelerator asked for cannot be had (doctor keeps it as a finding)."""
    decision = resolve(profile, facts, options.accelerator)
    roles: tuple[str, ...] = ("pypi", "pytorch") if decision.variant else ("pypi",)
    report = facts.interpreters.value
    if report is not None and options.managed_python_dir and options.uv_available and not options.python:
        needs = needs_for(profile, decision.accelerator.value)
        if not any(reject_reason(i, needs) is None for i in report.interpreters):
            roles += ("python",)  # no installed interpreter fits: the plan will want a managed CPython
    return Early(decision, roles)


def source_decision(
    requested: str | None,
    requested_by: str,
    sets: Mapping[str, MirrorSet],
    variant: str | None,
    probes: list[MirrorProbe],
) -> MirrorPlan:
    """The source of each role (mirrors/decide.py), decided here once per command from what the probes saw."""
    return choose_mirrors(requested, requested_by, dict(sets), variant, probes)


def make_plan(
    profile: Profile,
    facts: HostFacts,
    options: Options,
    reachable: Mapping[str, bool],
    torch_sources: TorchSources | None = None,
    early: Early | None = None,
) -> Plan:
    """`torch_sources`: what the default index and the other sources list for the per-variant projects, probed
    when the PyTorch index did not answer; None: not probed, so PyPI's build is never planned. `early`: the
    decisions made before the sources were probed (never remade here)."""
    decision = early.decision if early is not None else resolve(profile, facts, options.accelerator)
    accelerator = decision.accelerator.value
    needs = needs_for(profile, accelerator)
    report = facts.interpreters.value
    os_name = facts.system.value.os if facts.system.value else "Linux"
    if report is None:
        raise HostError(f"could not list Python interpreters: {facts.interpreters.error}", fix="run `llmenv doctor`")
    managed = (
        managed_python(
            report,
            needs,
            options.python,
            options.uv_available,
            options.managed_python_dir,
            options.mirrors.url("python"),
            options.managed_minors,
        )
        if options.managed_python_dir
        else None
    )
    if managed is not None:
        source = f"from {options.mirrors.get('python').source} mirror" if managed.mirror else "from GitHub releases"
        python_choice = Choice(
            f"install managed CPython {managed.minor}",
            f"{managed.why}; python-build-standalone through uv, {source}, into {managed.install_dir}",
        )
        python_version = managed.minor
    else:
        interpreter, python_choice = choose_interpreter(report, needs, options.python, os_name)
        python_version = interpreter.version
    variant_index = decision.index_url
    variant_unreachable: str | None = None
    fallback = False
    unreachable: list[str] = []
    pytorch = options.mirrors.get("pytorch")
    # With a PyTorch mirror, the mirror is what must answer; the upstream URL stays in the plan for the stamp.
    checked = pytorch.url if (variant_index and pytorch.url) else variant_index
    override = profile.accelerators.get(accelerator)
    pypi: PypiBuild | None = None
    fallback_warning: list[str] = []
    if pytorch.named and variant_index and checked and not reachable.get(checked, False):
        # A mirror the user named is their decision: used even when its check failed, and named if the install
        # then fails (never replaced by the configured indexes or PyPI's build in silence).
        fallback_warning.append(
            f"{pytorch.described()} did not pass its check ({pytorch.seen or 'no answer'}); using it anyway, "
            "as you named it"
        )
        unreachable.append(checked)
    elif variant_index and checked and not reachable.get(checked, False):
        if options.pypi_torch and profile.pytorch_index != "required":
            host = (os_name, facts.system.value.machine if facts.system.value else "x86_64", python_version)
            packages = list(override.index_packages) if override else []
            label = decision.variant.value if decision.variant else None
            pypi = pypi_build(profile.packages_for(accelerator), packages, checked, host, torch_sources, label)
        if pypi is not None:
            strict = options.accelerator != "auto" or profile.checks.gpu == "required"
            decision = with_pypi_build(decision, pypi, profile, facts, strict)
        what = f"PyTorch mirror {redact_url(checked)} (set {pytorch.source})" if pytorch.url else "variant index"
        if not pytorch.url:
            what += f" {redact_url(checked)}"
        fallback_warning.append(
            pypi.warning()
            if pypi
            else f"{what} is unreachable; using the configured indexes and find-links "
            f"instead, pinned to the {decision.variant.value if decision.variant else accelerator} build so nothing else "
            "can be installed by mistake"
        )
        variant_index, variant_unreachable, fallback = None, variant_index, True
        unreachable.append(checked)
    warnings = [*decision.warnings, *fallback_warning]
    requirements = pin_variant(
        profile.packages_for(accelerator),
        list(override.index_packages) if override else [],
        decision.variant.value if decision.variant and pypi is None else None,
        os_name,
    )
    backend = _backend(options)
    return Plan(
        profile=profile.name,
        profile_hash=profile.content_hash(),
        env=options.env,
        python=python_choice,
        python_version=python_version,
        backend=backend,
        accelerator=decision.accelerator,
        variant=decision.variant,
        requirements=requirements,
        indexes=with_mirrors(indexes_from(facts.pip_config.value, variant_index, variant_unreachable), options.mirrors),
        imports=tuple(profile.checks.imports),
        gpu_check=profile.checks.gpu,
        smoke=profile.smoke.model_dump(mode="json") if profile.smoke else None,
        lock_file=options.lock_file,
        decision=decision,
        warnings=tuple(warnings),
        overrides=options.overrides,
        variant_index_fallback=fallback,
        offline=options.offline,
        mirrors=options.mirrors,
        unreachable=tuple(unreachable),
        managed_python=managed,
        pypi_torch=pypi,
    )


def _backend(options: Options) -> Choice:
    if options.backend == "pip":
        return Choice("pip", "--backend pip")
    if options.backend == "uv":
        if not options.uv_available:
            raise HostError("--backend uv: no uv binary found", fix="install the `uv` package, or use --backend pip")
        return Choice("uv", "--backend uv")
    if options.uv_available:
        return Choice("uv", "uv is available (it installs the same wheels far faster)", (("pip", "slower"),))
    return Choice("pip", "uv not found", (("uv", "no uv binary"),))


__all__ = ["Early", "Options", "early_decisions", "make_plan", "source_decision"]
