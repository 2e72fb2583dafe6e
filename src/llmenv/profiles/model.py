"""What a profile may say (the schema) and what a fully resolved profile is.

Two layers on purpose: `ProfileFile` is one YAML file as written (everything but `name` optional, because a child
that `extends` a parent states only what differs), and `Profile` is the result after `extends` is merged, with
defaults filled in. The JSON Schema that editors use is generated from `ProfileFile`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

Accelerator = Literal["auto", "cpu", "cuda", "rocm", "mps"]
ConcreteAccelerator = Literal["cpu", "cuda", "rocm", "mps"]
ACCELERATORS: tuple[str, ...] = ("auto", "cpu", "cuda", "rocm", "mps")
CONCRETE_ACCELERATORS: tuple[str, ...] = ACCELERATORS[1:]
SCHEMA_VERSION = 1
DEFAULT_ENV = ".venv"


def _check_requirement(value: str) -> str:
    try:
        requirement = Requirement(value)
    except InvalidRequirement as exc:
        raise ValueError(f"expected a PEP 508 requirement such as 'torch==2.13.0', found {value!r} ({exc})") from None
    for spec in requirement.specifier:
        if spec.operator == "===":
            _check_arbitrary_equality(requirement.name, spec.version, value)
    return value


def _check_arbitrary_equality(name: str, operand: str, value: str) -> None:
    """`===` compares strings (PEP 440 "arbitrary equality"), so `torch===>2.13` parses, pins nothing any index
    serves, and fails only at install time. An operand that starts like an operator, or is no version at all, is
    almost always a typo for `==` or `>=`."""
    from packaging.version import InvalidVersion, Version

    stripped = operand.lstrip("<>=!~ ")
    looks_like_operator = stripped != operand
    try:
        Version(stripped)
        is_version = True
    except InvalidVersion:
        is_version = False
    if looks_like_operator or not is_version:
        suggestion = f"'{name}=={stripped}'" if is_version else f"'{name}==X.Y.Z'"
        raise ValueError(
            f"'{value}' uses '===' (arbitrary string equality) with '{operand}', which is "
            f"{'an operator' if looks_like_operator else 'not a version'}: no index serves that; "
            f"did you mean {suggestion}?"
        )


def _gpu_word(value: Any) -> Any:
    """YAML 1.1 reads an unquoted `off` (as the README writes `checks: {gpu: off}`) as false: take it to mean
    'off'. `on`/`yes`/`true` could mean 'auto' or 'required', so that is an error asking to quote a word."""
    if value is False:
        return "off"
    if value is True:
        raise ValueError(
            "expected one of 'auto', 'required' or 'off', found a boolean (YAML reads unquoted yes/on/true as "
            "true); quote the word you mean, such as gpu: 'required'"
        )
    return value


def _check_specifier(value: str) -> str:
    try:
        SpecifierSet(value)
    except InvalidSpecifier:
        raise ValueError(f"expected a PEP 440 version specifier such as '>=3.10,<3.13', found {value!r}") from None
    return value


def _check_cuda_version(value: str) -> str:
    parts = value.split(".")
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise ValueError(f"expected a CUDA version as MAJOR.MINOR such as '12.6', found {value!r}")
    return value


RequirementStr = Annotated[str, AfterValidator(_check_requirement)]
SpecifierStr = Annotated[str, AfterValidator(_check_specifier)]
CudaVersionStr = Annotated[str, AfterValidator(_check_cuda_version)]


class _Strict(BaseModel):
    # Unknown keys are errors, not silently ignored: a typo like `pakages` must not install nothing.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class AcceleratorOverride(_Strict):
    """What changes when the environment is built for one accelerator."""

    packages: list[RequirementStr] = Field(
        default_factory=list,
        description="Requirements added for this accelerator; they replace base packages of the same project.",
    )
    remove: list[str] = Field(
        default_factory=list,
        description="Projects of the base packages to drop for this accelerator (e.g. tensorflow-cpu on CUDA).",
    )
    index_url: str | None = Field(
        default=None,
        description=(
            "Index serving this accelerator's wheel variant; '{variant}' is replaced by the chosen variant "
            "(cpu, cu126, cu130, rocm7.2, ...). Falls back to the configured indexes when unreachable."
        ),
    )
    index_packages: list[str] = Field(
        default_factory=list,
        description="Projects that must come from index_url (e.g. torch); the rest resolve as usual.",
    )
    min_cuda: CudaVersionStr | None = Field(
        default=None,
        description="Lowest CUDA version (MAJOR.MINOR) of the build; the driver must run it (minor-version "
        "compatibility counts, see docs/gpu.md).",
    )


# A dotted module name, or `from MODULE import NAME`: matched as a pattern inside the env, never run as code.
IMPORT_PATTERN = r"^([A-Za-z_][\w.]*|from +[A-Za-z_][\w.]* +import +[A-Za-z_]\w*)$"


class Checks(_Strict):
    """What `setup` and `doctor --env` verify inside the environment."""

    imports: list[Annotated[str, Field(pattern=IMPORT_PATTERN)]] = Field(
        default_factory=list,
        description="Modules that must import, or `from MODULE import NAME` (e.g. the tutorial's "
        "`from transformers import BertForSequenceClassification`).",
    )
    gpu: Annotated[Literal["auto", "required", "off"], BeforeValidator(_gpu_word)] = Field(
        default="auto",
        description="auto: check the GPU when the host has one; required: fail without one; off: never.",
    )
    versions: dict[str, SpecifierStr] = Field(
        default_factory=dict,
        description="Extra version expectations (distribution name -> specifier) beyond the pins.",
    )


class Smoke(_Strict):
    """The IMDB sentiment smoke test that proves the stack trains."""

    framework: Literal["torch", "keras", "transformers", "finetune"]
    dataset: Literal["imdb"] = "imdb"
    min_accuracy: float = Field(default=0.75, ge=0.0, le=1.0)
    time_budget_s: int = Field(default=600, gt=0)
    epochs: int | None = Field(default=None, gt=0)


class ProfileFile(_Strict):
    """One profile file as written."""

    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=64)]
    description: str = ""
    extends: str | None = Field(default=None, description="Name or relative path of the parent profile.")
    python: SpecifierStr | None = Field(default=None, description="Supported Pythons, e.g. '>=3.10,<3.13'.")
    env: str | None = Field(default=None, description="Default environment path (relative to the cwd).")
    accelerator: Accelerator | None = None
    packages: list[RequirementStr] = Field(default_factory=list, description="PEP 508 requirements, pinned with '=='.")
    allow_unpinned: list[str] = Field(
        default_factory=list, description="Project names allowed without an exact '==' pin."
    )
    accelerators: dict[ConcreteAccelerator, AcceleratorOverride] = Field(default_factory=dict)
    checks: Checks | None = None
    smoke: Smoke | None = None
    jupyter: bool | None = Field(
        default=None,
        description="Install ipykernel and register a Jupyter kernel named after the env (like setup --jupyter).",
    )
    mirror: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9._-]*$", max_length=64)] | None = Field(
        default=None,
        description=(
            "Mirror set for packages, PyTorch wheels, the model hub and Python builds: a built-in set (china, tuna, "
            "aliyun, ...), one from <config dir>/mirrors.yaml, or auto. --mirror and LLMENV_MIRROR win over it."
        ),
    )
    pytorch_index: Literal["prefer", "required"] = Field(
        default="prefer",
        description=(
            "prefer: when no PyTorch index or mirror answers but the PyPI index serves the pinned torch release, "
            "install PyPI's build of it (a CUDA build of several GB on Linux x86_64), with a warning; required: "
            "never, the install stops naming the PyTorch index (as --require-pytorch-index does)."
        ),
    )


@dataclass(frozen=True)
class Profile:
    """A profile after `extends` is merged: everything the planner needs, and nothing about files."""

    name: str
    description: str
    python: str
    env: str
    accelerator: str
    packages: tuple[str, ...]
    allow_unpinned: tuple[str, ...]
    accelerators: Mapping[str, AcceleratorOverride]
    checks: Checks
    smoke: Smoke | None
    source: str = field(compare=False)
    origin: str = field(compare=False)
    chain: tuple[str, ...] = field(compare=False, default=())
    mirror: str | None = field(compare=False, default=None)  # where packages come from, not what is installed
    pytorch_index: str = field(compare=False, default="prefer")  # required: never PyPI's torch build instead
    jupyter: bool = field(compare=False, default=False)  # setup adds ipykernel and registers the env's kernel
    # The user's files of the extends chain (the profile first, built-in files left out): what an export copies.
    files: tuple[str, ...] = field(compare=False, default=())

    def packages_for(self, accelerator: str) -> tuple[str, ...]:
        """Base packages with the accelerator's override merged in by project name (the override wins)."""
        override = self.accelerators.get(accelerator)
        if override is None:
            return self.packages
        dropped = {canonicalize_name(n) for n in override.remove}
        kept = [r for r in self.packages if project_name(r) not in dropped]
        return merge_requirements(kept, override.packages)

    def content(self) -> dict[str, Any]:
        """The profile's meaning, without where it came from: what the setup stamp hashes."""
        return {
            "name": self.name,
            "description": self.description,
            "python": self.python,
            "env": self.env,
            "accelerator": self.accelerator,
            "packages": list(self.packages),
            "allow_unpinned": list(self.allow_unpinned),
            "accelerators": {k: v.model_dump(mode="json") for k, v in sorted(self.accelerators.items())},
            "checks": self.checks.model_dump(mode="json"),
            "smoke": self.smoke.model_dump(mode="json") if self.smoke else None,
        }

    def content_hash(self) -> str:
        blob = json.dumps(self.content(), sort_keys=True, separators=(",", ":")).encode()
        return hashlib.sha256(blob).hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.content(),
            "source": self.source,
            "origin": self.origin,
            "chain": list(self.chain),
            "content_hash": self.content_hash(),
        }


def project_name(requirement: str) -> str:
    return canonicalize_name(Requirement(requirement).name)


def merge_requirements(base: tuple[str, ...] | list[str], override: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """Merge by canonical project name: an override replaces the base entry in place, new ones are appended."""
    merged: dict[str, str] = {project_name(r): r for r in base}
    for requirement in override:
        merged[project_name(requirement)] = requirement
    return tuple(merged.values())


def is_pinned(requirement: str) -> bool:
    """True for an exact `==X.Y.Z` (no wildcard) or `===` pin: the only kind that makes a profile reproducible."""
    specs = list(Requirement(requirement).specifier)
    return any((s.operator == "==" and not s.version.endswith(".*")) or s.operator == "===" for s in specs)


__all__ = [
    "ACCELERATORS",
    "CONCRETE_ACCELERATORS",
    "DEFAULT_ENV",
    "SCHEMA_VERSION",
    "Accelerator",
    "AcceleratorOverride",
    "Checks",
    "Profile",
    "ProfileFile",
    "Smoke",
    "is_pinned",
    "merge_requirements",
    "project_name",
]
