"""The parts several `--json` documents share: a finding, a probed fact, the host facts, a choice, the plan.

Every model allows extra keys (`extra="allow"`): within one schema version fields are only ever added, so a
parser written for today's document keeps working on tomorrow's, and the generated JSON Schema says so."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

OPEN = ConfigDict(extra="allow", populate_by_name=True, defer_build=True, ser_json_inf_nan="constants")
StringOrNull = str | None
# 0 or 1 (a document with a worse exit code is the error document, llmenv.error/1); an int range rather than
# Literal[0, 1], which would take `false` for 0 where the schema does not.
ExitCode = Annotated[int, Field(ge=0, le=1)]
FactsValue = Annotated[Any, Field(description="what the probe found; its shape is the fact's own")]


class Part(BaseModel):
    """Base of every document model and part: extra keys allowed, fields by name or alias."""

    model_config = OPEN


class Finding(Part):
    """One check's result: doctor's, setup's verification, a smoke test's."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    area: str
    status: Literal["ok", "warn", "fail", "skip"]
    title: str
    evidence: str
    fix: StringOrNull


class Probed(Part):
    """One host fact with where it came from, what went wrong reading it, and how long it took."""

    value: FactsValue
    source: str
    error: StringOrNull
    seconds: float


class Facts(Part):
    """What `llmenv probe` found. The fields are probe.FACT_NAMES (required) and probe.OPTIONAL_FACT_NAMES (added
    later, optional so reports written before them still validate and merge); a test keeps the lists equal."""

    system: Probed
    interpreters: Probed
    nvidia: Probed
    rocm: Probed
    apple: Probed
    cuda_toolkit: Probed
    disk: Probed
    pip_config: Probed
    indexes: Probed
    uv_config: Probed = None  # type: ignore[assignment]  # optional: absent from older reports, never null
    shell: Probed = None  # type: ignore[assignment]
    env: dict[str, str]
    seconds: float = 0.0


class Rejected(Part):
    value: Any
    why: Any


class Choice(Part):
    """A decision with its reason and the options passed over, each with why."""

    value: str
    why: str
    rejected: list[Rejected]


class PythonChoice(Choice):
    version: str


class BackendChoice(Choice):
    value: Literal["uv", "pip"]


class AcceleratorChoice(Choice):
    value: Literal["cpu", "cuda", "rocm", "mps"]  # profiles.model.CONCRETE_ACCELERATORS; a test keeps them equal


class UnusedGpu(Part):
    gpu: str
    why: str


class GpuSelect(Part):
    served: str = ""
    unused: str = ""


class Gpus(Part):
    """The accelerator decision: GPUs the build serves, those it cannot use, CPU fallback."""

    accelerator: str = ""
    serves: list[str] = []
    unused: list[UnusedGpu] = []
    fallback: StringOrNull = None
    fix: StringOrNull = None
    broken: StringOrNull = None
    select: GpuSelect | None = None


class PypiTorch(Part):
    """PyPI's torch build installed because no PyTorch index answered (docs/setup.md)."""

    requirements: list[str]
    variant: str
    pages: dict[str, dict[str, int | None]] = {}
    wheel_bytes: int
    sizes_from_index: bool
    total_bytes: int
    cpu_bytes: int = 0
    index: str = ""
    source: str = ""
    unreachable: str = ""
    offline: bool = False


class Indexes(Part):
    """Where packages come from: the user's pip configuration, the accelerator's variant index, the mirrors."""

    pypi_mirror: StringOrNull = None
    pytorch_mirror: StringOrNull = None
    pytorch_mirror_format: Literal["flat", "index"] | None = None
    index_url: StringOrNull = None
    extra_index_urls: list[str] = []
    find_links: list[str] = []
    no_index: bool = False
    variant_index: StringOrNull = None
    cert: StringOrNull = None
    client_cert: StringOrNull = None
    trusted_hosts: list[str] = []
    constraints: list[str] = []
    proxy: StringOrNull = None


class RoleProbe(Part):
    ok: bool | None
    saw: Any


class RoleSource(Part):
    """Where one role (pypi, pytorch, python, data) comes from, and why."""

    source: str
    url: StringOrNull = None
    format: Literal["flat", "index"] | None = None
    why: str = ""
    rejected: list[Rejected] = []
    probe: RoleProbe | None = None


class Mirrors(Part):
    """The mirror set asked for (--mirror, LLMENV_MIRROR, the profile), and each role's source."""

    requested: StringOrNull = None
    requested_by: str = ""
    roles: dict[str, RoleSource] = {}


class ManagedPython(Part):
    """A CPython setup installs first (uv's list), when no interpreter here fits."""

    minor: str
    install_dir: str
    mirror: StringOrNull = None
    why: str = ""


class Plan(Part):
    """Every decision `llmenv setup` acts on, with the reasons (plan/model.py's Plan.to_dict). The fields after
    `indexes` were added later and are optional, so documents written before them still validate."""

    profile: str
    profile_hash: str = Field(pattern="^[0-9a-f]{64}$")
    env: str
    python: PythonChoice
    backend: BackendChoice
    accelerator: AcceleratorChoice
    variant: Choice | None
    gpus: Gpus = None  # type: ignore[assignment]  # optional, never null
    requirements: list[str]
    indexes: Indexes
    imports: list[str] = []
    gpu_check: StringOrNull = None
    smoke: dict[str, Any] | None = None
    lock_file: StringOrNull = None
    lock_sha256: StringOrNull = None
    warnings: list[str] = []
    overrides: list[str] = []
    variant_index_fallback: bool = False
    offline: bool = False
    mirrors: Mirrors = None  # type: ignore[assignment]  # optional, never null
    managed_python: ManagedPython | None = None
    unreachable: list[str] = []
    pypi_torch: PypiTorch | None = None


class Envelope(Part):
    """What every document starts with: its schema name and version, and the llmenv that wrote it."""

    schema_: str = Field(alias="schema")
    llmenv_version: str


def dump(document: BaseModel) -> dict[str, Any]:
    """The document as JSON data: only the keys that were given (an optional key left out stays out), by alias."""
    return document.model_dump(mode="json", by_alias=True, exclude_unset=True)


def build(model: type[BaseModel], fields: dict[str, Any]) -> dict[str, Any]:
    """A producer's document: `fields` read into its model and dumped. Where they do not fit the model (a bug in
    llmenv, never the user's doing), the document is still printed as built, since a script waiting on it after
    a long setup is better served by the data than by a crash, and the mismatch is said on stderr (where and
    what, never the value: it may hold a URL) so it gets reported. The tests hold every producer to its model."""
    import sys

    from pydantic import ValidationError

    try:
        return dump(model.model_validate(fields))
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "(top)"
        title = model.model_config.get("title") or model.__name__
        sys.stderr.write(
            f"llmenv bug: the {title} document does not match its schema at {where} ({first['msg']}); "
            "printed as built; please report it\n"
        )
        return fields


__all__ = [
    "Choice",
    "Envelope",
    "ExitCode",
    "Facts",
    "Finding",
    "Part",
    "Plan",
    "Probed",
    "StringOrNull",
    "build",
    "dump",
]
