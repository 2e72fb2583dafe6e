"""Which proxy a request to an index goes through, and where that proxy was set: so a dead proxy is named as the
cause instead of the index behind it.

pip (requests) and uv (reqwest) read the same variables: `https_proxy`/`HTTPS_PROXY` for https URLs,
`http_proxy`/`HTTP_PROXY` for http ones, then `all_proxy`/`ALL_PROXY`; `no_proxy`/`NO_PROXY` exempts hosts (the
lowercase spelling wins, as in curl). pip's own `proxy` setting (and llmenv's translation of it for uv) overrides the
variables. Sources: requests' `get_environ_proxies` / urllib's `getproxies_environment`, uv's environment reference
(docs.astral.sh/uv/reference/environment/: HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from llmenv.redact import Secret

_VARIABLES = frozenset(n for s in ("http", "https", "all") for n in (f"{s}_proxy", f"{s.upper()}_PROXY"))


@dataclass(frozen=True)
class ProxySetting:
    url: Secret
    origin: str  # "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "pip's proxy setting (/etc/pip.conf)"

    def describe(self) -> str:
        return f"the proxy {self.url} (set by {self.origin})"

    def unset_hint(self) -> str:
        if self.origin in _VARIABLES:
            return f"`unset {self.origin}`"
        return f"remove pip's proxy setting ({self.origin.partition('(')[2].rstrip(')') or 'pip config'})"


def proxy_for(url: str, environ: Mapping[str, str], configured: tuple[str, str] | None = None) -> ProxySetting | None:
    """The proxy a request to `url` uses, or None (a local path, an exempt host, no proxy set). `configured` is
    pip's proxy setting as (value, origin)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return None
    if configured and configured[0]:
        return ProxySetting(Secret(configured[0]), f"pip's proxy setting ({configured[1]})")
    if _exempt(parts.hostname or "", environ):
        return None
    for name in (f"{parts.scheme}_proxy", f"{parts.scheme.upper()}_PROXY", "all_proxy", "ALL_PROXY"):
        value = environ.get(name, "").strip()
        if value:
            return ProxySetting(Secret(value), name)
    return None


def _exempt(host: str, environ: Mapping[str, str]) -> bool:
    raw = environ.get("no_proxy") or environ.get("NO_PROXY") or ""
    for entry in (e.strip().lower() for e in raw.split(",")):
        if not entry:
            continue
        if entry == "*":
            return True
        entry = entry.lstrip(".")
        name = host.lower()
        if name == entry or name.endswith("." + entry):
            return True
    return False


__all__ = ["ProxySetting", "proxy_for"]
