"""Rules about package sources: the effective pip configuration and whether each index answers."""

from __future__ import annotations

import os
from pathlib import Path

from llmenv.probe import HostFacts
from llmenv.verify.host.context import HostContext
from llmenv.verify.model import Finding, fail, ok, warn

INDEX_FIXES = {
    "dns": "check the host name and your DNS; behind a proxy set HTTPS_PROXY",
    "refused": "nothing listens there: check the URL and port, or whether the mirror is running",
    "timeout": "a firewall or proxy may block it: set HTTPS_PROXY, or configure a reachable mirror as index-url",
    "certificate": "a proxy is intercepting TLS: point SSL_CERT_FILE / pip's `cert` at your company CA bundle "
    "(never use trusted-host to switch verification off)",
    "proxy-auth": "put credentials in the proxy URL (HTTPS_PROXY=http://user:pass@proxy:port)",
    "auth": "put the index credentials in the URL, a netrc file or keyring",
    "missing": "create the folder or remove it from pip's find-links / index settings",
    "http": "the index is failing: retry later or use a mirror",
    "error": "check the URL",
}


def rule_indexes(facts: HostFacts, ctx: HostContext) -> list[Finding]:
    statuses = facts.indexes.value
    if statuses is None:
        return [
            ok(
                "network.index",
                "network",
                "index reachability not checked",
                facts.indexes.error or facts.indexes.source,
            )
        ]
    out = []
    for status in statuses:
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
            out.append(
                fail(
                    fid,
                    "network",
                    f"{status.role} unreachable ({status.kind})",
                    f"{status.url}: {status.detail}",
                    INDEX_FIXES[status.kind],
                )
            )
    return out


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


__all__ = ["INDEX_FIXES", "rule_indexes", "rule_pip_config"]
