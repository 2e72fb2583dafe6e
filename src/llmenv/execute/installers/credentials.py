"""Index credentials travel to installers through their environment, never their argument list.

Any local user can read `/proc/<pid>/cmdline` (and `ps` shows it); `/proc/<pid>/environ` is readable by the owner
only. uv and pip both read every source option from an environment variable as well, so an option whose value
carries a secret (`https://user:token@host/simple`, `?token=`) is moved there whole. This is a last step applied to a
finished Command, so however the argument list was built (mirrors, variants, locks), the rule holds in one place.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from llmenv.execute.installers import Command
from llmenv.plan.model import Indexes
from llmenv.redact import has_secret

# option spellings -> the variable the installer reads for it; uv's variables replace the option, pip's combine
# with its configuration the same way the option would (see _inherited).
_UV = {
    "--index-url": "UV_INDEX_URL",
    "-i": "UV_INDEX_URL",
    "--default-index": "UV_DEFAULT_INDEX",
    "--extra-index-url": "UV_EXTRA_INDEX_URL",
    "--index": "UV_INDEX",
    "--find-links": "UV_FIND_LINKS",
    "-f": "UV_FIND_LINKS",
}
_PIP = {
    "--index-url": "PIP_INDEX_URL",
    "-i": "PIP_INDEX_URL",
    "--extra-index-url": "PIP_EXTRA_INDEX_URL",
    "--find-links": "PIP_FIND_LINKS",
    "-f": "PIP_FIND_LINKS",
    "--proxy": "PIP_PROXY",
}
_SEPARATOR = {"UV_FIND_LINKS": ","}  # every other list variable is space-separated


def flavour(argv: Sequence[str]) -> dict[str, str] | None:
    """Which installer this argument list runs: uv (`uv ...`) or pip (`python -m pip ...`)."""
    if not argv:
        return None
    if os.path.basename(argv[0]).split(".")[0] == "uv":
        return _UV
    if list(argv[1:3]) == ["-m", "pip"]:
        return _PIP
    return None


def private_sources(command: Command, indexes: Indexes | None = None) -> Command:
    """Move every source option of a variable that carries a secret from argv into the environment.

    All values of that variable move together (a uv variable is ignored when the option is also given, so a split
    would drop sources). For pip, the variable would replace the configured list instead of adding to it, so the
    configured values (`indexes`, as pip reads them) are included."""
    table = flavour(command.argv)
    if table is None:
        return command
    values: dict[str, list[str]] = {}
    positions: dict[str, list[int]] = {}
    argv = list(command.argv)
    i = 0
    while i < len(argv):
        arg = argv[i]
        option, _, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        if option in table and (inline or i + 1 < len(argv)):
            name = table[option]
            value = inline if inline else argv[i + 1]
            values.setdefault(name, []).append(value)
            positions.setdefault(name, []).extend([i] if inline else [i, i + 1])
            i += 1 if inline else 2
            continue
        i += 1
    secret = {name for name, found in values.items() if any(has_secret(v) for v in found)}
    if not secret:
        return command
    drop = {p for name in secret for p in positions[name]}
    env = dict(command.env)
    for name in secret:
        listed = _inherited(name, indexes) + values[name] if table is _PIP else values[name]
        env[name] = _SEPARATOR.get(name, " ").join(dict.fromkeys(listed))
    return Command([a for p, a in enumerate(argv) if p not in drop], env)


def _inherited(name: str, indexes: Indexes | None) -> list[str]:
    """What pip would have used from its own configuration for a list variable we are about to set."""
    if indexes is None:
        return []
    if name == "PIP_EXTRA_INDEX_URL":
        return [u.reveal() for u in indexes.extra_index_urls]
    if name == "PIP_FIND_LINKS":
        return list(indexes.find_links)
    return []


__all__ = ["flavour", "private_sources"]
