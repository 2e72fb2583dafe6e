"""Package sources for the install: the user's pip configuration plus the variant index, and the exact pins."""

from __future__ import annotations

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from llmenv.plan.mirrors import MirrorPlan
from llmenv.plan.model import Indexes
from llmenv.plan.needs import pinned_version
from llmenv.probe.pipconfig import PipConfig
from llmenv.redact import Secret


def indexes_from(config: PipConfig | None, variant_index: str | None) -> Indexes:
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


__all__ = ["indexes_from", "pin_variant", "with_mirrors"]
