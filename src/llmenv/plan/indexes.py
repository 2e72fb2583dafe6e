"""Package sources for the install: the user's pip configuration plus the variant index, and the exact pins."""

from __future__ import annotations

from urllib.parse import urlsplit

from packaging.requirements import Requirement
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from llmenv.mirrors.decide import MirrorPlan
from llmenv.plan.model import Indexes, Plan
from llmenv.plan.needs import pinned_version
from llmenv.probe.index import PYPI
from llmenv.probe.pipconfig import PipConfig
from llmenv.redact import Secret, redact_url


def indexes_from(
    config: PipConfig | None, variant_index: str | None, unreachable_variant: str | None = None
) -> Indexes:
    def get(key: str) -> list[str]:
        return config.get(key) if config else []

    index = get("index-url")
    proxy = get("proxy")
    return Indexes(
        index_url=Secret(index[0]) if index else None,
        extra_index_urls=tuple(Secret(u) for u in get("extra-index-url")),
        find_links=tuple(get("find-links")),
        no_index=bool(config and config.flag("no-index")),
        variant_index=Secret(variant_index) if variant_index else None,
        cert=_first(get("cert")),
        client_cert=_first(get("client-cert")),
        trusted_hosts=tuple(get("trusted-host")),
        constraints=tuple(get("constraint")),
        proxy=Secret(proxy[0]) if proxy else None,
        variant_index_unreachable=Secret(unreachable_variant) if unreachable_variant else None,
    )


def with_mirrors(indexes: Indexes, mirrors: MirrorPlan) -> Indexes:
    """The PyPI mirror replaces the default index; the PyTorch mirror replaces the variant index (as an index, or
    as find-links when the set says `pytorch_format: flat`). uv's --torch-backend cannot do the latter: it
    hard-codes download.pytorch.org, which is why llmenv passes the variant index itself."""
    import dataclasses

    pypi, pytorch = mirrors.get("pypi"), mirrors.get("pytorch")
    return dataclasses.replace(
        indexes,
        pypi_mirror=Secret(pypi.url) if pypi.url else None,
        pytorch_mirror=Secret(pytorch.url) if pytorch.url and indexes.variant_index else None,
        pytorch_mirror_flat=pytorch.flat,
    )


def _first(values: list[str]) -> str | None:
    return values[0] if values else None


def pin_variant(
    requirements: tuple[str, ...], projects: list[str], variant: str | None, os_name: str
) -> tuple[str, ...]:
    """`torch==2.13.0` -> `torch==2.13.0+cu126` for the projects built per variant.

    With the local label the resolver can only take the chosen build: if the variant index is unreachable and no
    local wheel has that label, the install fails in seconds instead of pulling PyPI's multi-GB CUDA build. macOS
    wheels carry no label, so they are left alone."""
    if not variant or os_name == "Darwin":
        return requirements
    wanted = {canonicalize_name(p) for p in projects}
    out = []
    for text in requirements:
        requirement = Requirement(text)
        version = pinned_version(requirement)
        if canonicalize_name(requirement.name) in wanted and version and "+" not in version:
            marker = f"; {requirement.marker}" if requirement.marker else ""
            extras = f"[{','.join(sorted(requirement.extras))}]" if requirement.extras else ""
            text = f"{requirement.name}{extras}=={version}+{variant}{marker}"
        out.append(text)
    return tuple(out)


def sources(indexes: Indexes, variant_index: str | None = None) -> list[tuple[str, str]]:
    """Every location the install will read, as (url, role): what doctor checks before setup runs.

    `variant_index`: the variant index the plan wanted, also when it fell back for being unreachable."""
    out: list[tuple[str, str]] = []
    if not indexes.no_index:
        # A mirror set's URL replaces the index it mirrors: that is what the install reads, and what is checked.
        default = indexes.pypi_mirror or indexes.index_url
        out.append((default.reveal() if default else PYPI, "index-url"))
        out += [(u.reveal(), "extra-index-url") for u in indexes.extra_index_urls]
        variant = indexes.variant_index.reveal() if indexes.variant_index else variant_index
        if variant and indexes.pytorch_mirror:
            flat = indexes.pytorch_mirror_flat
            out.append((indexes.pytorch_mirror.reveal(), "find-links" if flat else "variant"))
            variant = None
        if variant:
            out.append((variant, "variant"))
    out += [(f, "find-links") for f in indexes.find_links]
    return out


def unfindable(requirements: tuple[str, ...], archives: list[str]) -> list[str]:
    """The requirements that no archive in `archives` (find-links file names) can satisfy, by name and pinned
    version (local label included). Requirements with markers are left out: they may not apply on this host."""
    offered: dict[str, list[Version]] = {}
    for name in archives:
        try:
            project, version = parse_wheel_filename(name)[:2] if name.endswith(".whl") else parse_sdist_filename(name)
        except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
            continue
        offered.setdefault(project, []).append(version)
    missing = []
    for text in requirements:
        requirement = Requirement(text)
        if requirement.marker is not None:
            continue
        versions = offered.get(canonicalize_name(requirement.name), [])
        if not any(requirement.specifier.contains(v, prereleases=True) for v in versions):
            missing.append(text)
    return missing


def missing_closure(
    requirements: tuple[str, ...],
    archives: list[str],
    requires: dict[str, tuple[str, ...]],
    markers: dict[str, str],
) -> list[str]:
    """Under no-index: every requirement, and every dependency of the wheels that would satisfy them (their
    Requires-Dist, markers evaluated for the target), that no archive supplies: "beta>=1 (needed by alpha 1.0)".
    Dependencies of sdists are unknown until built and are not followed."""
    missing: list[str] = []
    seen: set[str] = set()
    queue = [(text, "") for text in requirements]
    while queue:
        text, needed_by = queue.pop(0)
        requirement = Requirement(text)
        if requirement.marker is not None and not requirement.marker.evaluate(markers | {"extra": ""}):
            continue
        key = f"{canonicalize_name(requirement.name)}{requirement.specifier}"
        if key in seen:
            continue
        seen.add(key)
        match = _best(requirement, archives)
        if match is None:
            missing.append(f"{text} (needed by {needed_by})" if needed_by else text)
            continue
        parsed = _parse(match)
        version = str(parsed[1]) if parsed else ""
        queue += [(dep, f"{requirement.name} {version}") for dep in requires.get(match, ())]
    return missing


def _parse(name: str) -> tuple[str, Version] | None:
    try:
        if name.endswith(".whl"):
            project, version = parse_wheel_filename(name)[:2]
        else:
            project, version = parse_sdist_filename(name)
    except (InvalidWheelFilename, InvalidSdistFilename, InvalidVersion):
        return None
    return str(project), version


def _best(requirement: Requirement, archives: list[str]) -> str | None:
    """The archive an installer would take for `requirement`: the newest matching version."""
    name = canonicalize_name(requirement.name)
    matches = [
        (parsed[1], a)
        for a in archives
        if (parsed := _parse(a)) and parsed[0] == name and requirement.specifier.contains(parsed[1], prereleases=True)
    ]
    return max(matches)[1] if matches else None


def named_mirror_hint(plan: Plan) -> str | None:
    """When a source the user named (a mirror set's pypi, pytorch or python role) failed its probe, or was found
    unreachable: name it (URL without credentials), say what its probe saw, and keep the user's choice. Upstream is
    not named: it was not used."""
    bad = []
    for role in ("pypi", "pytorch", "python"):
        source = plan.mirrors.get(role)
        if not source.named or source.url is None:
            continue
        unreachable = any(redact_url(u) == redact_url(source.url) for u in plan.unreachable)
        if source.seen_ok is False or unreachable:
            saw = source.seen or "no answer"
            bad.append(f"{source.described()} failed its check: {saw}")
    if not bad:
        return None
    by = plan.mirrors.requested_by.rstrip("=:") or "--mirror"
    asked = f"{by} {plan.mirrors.requested}"
    if by == "the env's stamp":
        asked = f"--mirror {plan.mirrors.requested} when the env was built, recorded in its stamp"
    return (
        "; ".join(bad) + f". You named this set ({asked}), so llmenv used it and tried no "
        "other source: make that mirror answer (or correct its URL in mirrors.yaml), or choose another set "
        "(`--mirror auto` probes them all and says which answer)"
    )


def install_failure_hint(plan: Plan) -> str | None:
    """What to do when an install fails after the variant index was found unreachable: the labelled pins
    (torch==2.13.0+cpu) exist only there unless a configured index or find-links folder carries them."""
    url = plan.indexes.variant_index_unreachable
    if not plan.variant_index_fallback or url is None:
        return None
    host = urlsplit(url.reveal()).hostname or redact_url(url.reveal())
    build = plan.pypi_torch
    if build is not None:
        from llmenv.plan.pypi_torch import FIX

        return (
            f"the PyTorch index {redact_url(url.reveal())} did not answer, so this install took PyPI's build of "
            f"{', '.join(build.requirements)} from {build.source} (about {build.total_bytes / 1e9:.1f} GB to "
            f"download, more on disk): check the connection to that index and the free disk space; for the smaller "
            f"CPU build make {host} reachable (behind a proxy set HTTPS_PROXY), or {FIX}"
        )
    labelled = [r for r in plan.requirements if "+" in (pinned_version(Requirement(r)) or "")]
    return (
        f"the variant index {redact_url(url.reveal())} could not be reached, and the configured indexes and "
        f"find-links have no {', '.join(labelled) or 'variant'} build: make {host} reachable (behind a proxy set "
        f"HTTPS_PROXY), use a mirror of it (`--mirror`), or put those wheels into a find-links folder"
    )


__all__ = [
    "indexes_from",
    "install_failure_hint",
    "missing_closure",
    "named_mirror_hint",
    "pin_variant",
    "sources",
    "unfindable",
    "with_mirrors",
]
