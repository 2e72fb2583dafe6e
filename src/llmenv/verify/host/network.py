"""Rules about package sources: the effective pip configuration and whether each index answers."""

from __future__ import annotations

import os
from pathlib import Path

from packaging.requirements import Requirement

from llmenv.probe import HostFacts
from llmenv.probe.index import IndexStatus
from llmenv.verify.host.context import HostContext
from llmenv.verify.model import Finding, fail, ok, warn

INDEX_FIXES = {
    "dns": "check the host name and your DNS; behind a proxy set HTTPS_PROXY",
    "refused": "nothing listens there: check the URL and port, or whether the mirror is running",
    "timeout": "a firewall or proxy may block it: set HTTPS_PROXY, or configure a reachable mirror as index-url",
    "certificate": "a proxy is intercepting TLS: point SSL_CERT_FILE / pip's `cert` at your company CA bundle "
    "(never use trusted-host to switch verification off)",
    "clock": "check the system clock (`date -u`; turn on time sync with `sudo timedatectl set-ntp true`, or "
    "`w32tm /resync` on Windows): by this clock the certificate is not yet valid or has expired, which fails every "
    "TLS connection whatever SSL_CERT_FILE says; if the clock is right, the server's certificate really expired",
    "proxy": "the proxy does not answer: check its address and that it runs, or turn it off if this network needs "
    "none; a mirror does not help while every request goes through it",
    "proxy-auth": "put credentials in the proxy URL (HTTPS_PROXY=http://user:pass@proxy:port)",
    "auth": "put the index credentials in the URL, a netrc file or keyring",
    "missing": "create the folder or remove it from pip's find-links / index settings",
    "http": "the index is failing: retry later or use a mirror",
    "not-index": "no package index answers at this URL: check the path (a PEP 503 index usually ends in /simple/ "
    "or, for PyTorch, /whl/<variant>/), or remove it from pip's configuration",
    "error": "check the URL",
}
ROLE_FIXES = {
    "variant": "use a mirror of the variant index (`--mirror`), or put the variant's wheels into a find-links "
    "folder: without them setup falls back to the configured indexes, which rarely carry the +cpu/+cuXXX builds",
}


def rule_indexes(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    statuses = facts.indexes.value
    if statuses is None or facts.indexes.source.startswith("skipped"):
        return [
            ok(
                "network.index",
                "network",
                "index reachability not checked",
                facts.indexes.error or facts.indexes.source,
            ),
            *_status_findings(statuses or [], ctx),
            *_pins_findable(facts, ctx),
        ]
    return _status_findings(statuses, ctx) + _pins_findable(facts, ctx)


def _stand_in(statuses: list[IndexStatus], ctx: HostContext) -> str | None:
    """Where setup will find the variant's builds when the variant index is unreachable (find-links or a
    configured index carrying them), or None when nothing can stand in."""
    from llmenv.plan.indexes import unfindable
    from llmenv.plan.needs import pinned_version

    plan = ctx.plan
    if plan is None:
        return None
    labelled = tuple(r for r in plan.requirements if "+" in (pinned_version(Requirement(r)) or ""))
    sources = [s for s in statuses if s.role in ("find-links", "project") and s.files]
    archives = [name for s in sources for name in s.files or ()]
    if not labelled or unfindable(labelled, archives):
        return None
    holding = [str(s.url) for s in sources if not unfindable(labelled, list(s.files or ()))]
    return f"{', '.join(labelled)} from {', '.join(holding) or 'the configured sources'}"


def _status_findings(statuses: list[IndexStatus], ctx: HostContext) -> list[Finding]:
    out = []
    stand_in = _stand_in(statuses, ctx)
    for status in statuses:
        if status.role == "project":
            continue  # read for _stand_in, not a location of its own
        fid = f"network.index.{status.role}"
        if status.reachable:
            out.append(
                ok(
                    fid,
                    "network",
                    f"{status.role} reachable",
                    f"{status.url}: {status.detail} in {status.seconds:.2f} s",
                )
            )
        else:
            title = "is not a package index" if status.kind == "not-index" else f"unreachable ({status.kind})"
            fix = INDEX_FIXES[status.kind]
            if status.kind == "proxy" and status.via:
                fix = (
                    f"{status.via[0]} does not answer: check its address and that it runs; if this network needs "
                    f"no proxy, {status.via[1]}. A mirror does not help while every request goes through it"
                )
            if status.role in ROLE_FIXES:
                fix = f"{fix}; or {ROLE_FIXES[status.role]}"
            pypi = ctx.plan.pypi_torch if ctx.plan is not None else None
            if status.role == "variant" and pypi is not None and not stand_in:
                out.append(
                    warn(
                        fid,
                        "network",
                        f"variant index {title}; setup will install PyPI's build of {', '.join(pypi.requirements)}",
                        f"{status.url}: {status.detail}; {pypi.warning()}",
                        f"nothing is needed to set up; to reach the variant index: {INDEX_FIXES[status.kind]}",
                    )
                )
                continue
            if status.role == "variant" and stand_in:
                out.append(
                    warn(
                        fid,
                        "network",
                        f"variant index {title}; setup will use the builds the configured sources carry",
                        f"{status.url}: {status.detail}; setup takes {stand_in}",
                        f"nothing is needed for this profile; to reach the variant index: {fix}",
                    )
                )
                continue
            out.append(fail(fid, "network", f"{status.role} {title}", f"{status.url}: {status.detail}", fix))
    return out


def _pins_findable(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    """Under no-index, only find-links can supply the pins: each must be there, before setup finds out."""
    from packaging.markers import default_environment

    from llmenv.plan.indexes import missing_closure

    plan = ctx.plan
    if plan is None or not plan.indexes.no_index:
        return []
    origin = _origin(facts, "no-index")
    if not plan.indexes.find_links:
        return [
            fail(
                "network.pins-findable",
                "network",
                "no-index is set and there are no find-links: pip has nowhere to install from",
                f"no-index ({origin}), no find-links",
                "unset no-index (e.g. `unset PIP_NO_INDEX`), or set find-links to a folder holding the pinned wheels",
            )
        ]
    listed = [s for s in facts.indexes.value or [] if s.role == "find-links" and s.files is not None]
    if not listed:
        return []  # find-links not listed (remote, --offline): the per-location findings say why
    archives = [name for s in listed for name in s.files or ()]
    requires = {name: deps for s in listed for name, deps in s.requires}
    markers: dict[str, str] = {str(k): str(v) for k, v in default_environment().items()}
    markers |= {
        "python_version": ".".join(plan.python_version.split(".")[:2]),
        "python_full_version": plan.python_version,
    }
    missing = missing_closure(plan.requirements, archives, requires, markers)
    folders = ", ".join(plan.indexes.find_links)
    if missing:
        return [
            fail(
                "network.pins-findable",
                "network",
                f"no-index is set and find-links cannot supply {len(missing)} of the requirements",
                f"missing from {folders}: {', '.join(missing)} (no-index from {origin})",
                f"put those wheels into {plan.indexes.find_links[0]} (`pip download --no-deps --dest "
                f"{plan.indexes.find_links[0]} {' '.join(missing)}` on a machine with access), or unset no-index",
            )
        ]
    return [
        ok(
            "network.pins-findable",
            "network",
            "no-index: find-links holds every pin and what its wheels require",
            f"{len(plan.requirements)} pins in {folders}",
        )
    ]


def _origin(facts: HostFacts, key: str) -> str:
    config = facts.pip_config.value
    setting = config.settings.get(key) if config else None
    return setting.origin if setting else "pip configuration"


def rule_pip_config(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    config = facts.pip_config.value
    if config is None:
        return []
    used = list(config.loaded)
    settings = "; ".join(f"{s.key}={s.value} ({s.origin})" for s in config.settings.values())
    files = f"; files: {', '.join(used)}" if used else "; no config files"
    if not used and any(kind == "env" and path == os.devnull for kind, path, _exists in config.files):
        files = f"; no config files (PIP_CONFIG_FILE={os.devnull} turns every file off)"
    out = [
        ok(
            "pip.config",
            "pip",
            "pip configuration (llmenv hands the same settings to uv)",
            (settings or "no settings") + files,
        )
    ]
    trusted = config.get("trusted-host")
    if trusted:
        out.append(
            warn(
                "pip.trusted-host",
                "pip",
                "TLS verification is off for some hosts",
                f"trusted-host={' '.join(trusted)} ({config.settings['trusted-host'].origin})",
                "remove trusted-host and configure the CA bundle with `cert` / SSL_CERT_FILE instead",
            )
        )
    for key in ("cert", "constraint"):
        for value in config.get(key):
            if not Path(value).exists():
                out.append(
                    fail(
                        f"pip.{key}-missing",
                        "pip",
                        f"pip's {key} file does not exist",
                        f"{key}={value} ({config.settings[key].origin})",
                        f"create it or remove the {key} setting; every pip install fails until then",
                    )
                )
    return out


def rule_uv_config(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    """The user's uv configuration, reported as pip's is. llmenv's own uv runs ignore it (`--no-config`, no
    inherited UV_* but UV_HONOURED), so it is never a failure; it says what a plain `uv pip install` would use."""
    from llmenv.probe.uvconfig import UV_HONOURED

    config = facts.uv_config.value
    if config is None:
        return []
    if not config.files and not config.variables:
        return [
            ok("uv.config", "pip", "uv configuration: none", "no uv.toml, no pyproject [tool.uv], no UV_* variables")
        ]
    parts = [f"{f.path} ({f.scope}): {', '.join(f.keys) or 'no settings'}" for f in config.files]
    ignored = [f"{k}={v}" for k, v in config.variables.items() if k not in UV_HONOURED]
    honoured = [f"{k}={v}" for k, v in config.variables.items() if k in UV_HONOURED]
    if ignored:
        parts.append("variables " + " ".join(ignored))
    if honoured:
        parts.append("passed on to llmenv's uv: " + " ".join(honoured))
    sources = config.source_settings
    title = "uv configuration (llmenv runs uv with --no-config and without these UV_* variables)"
    if sources:
        title = (
            "uv configuration changes where your own `uv pip install` installs from; setup ignores it and installs "
            "from pip's configuration"
        )
    return [ok("uv.config", "pip", title, "; ".join(parts))]


__all__ = ["INDEX_FIXES", "rule_indexes", "rule_pip_config", "rule_uv_config"]
