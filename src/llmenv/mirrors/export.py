"""The mirror set an export was planned with (`llmenv export --mirror NAME`), carried into what it writes: the
chosen URL of each role becomes one set in a mirrors.yaml for llmenv inside the image or CI job, selected by
LLMENV_MIRROR, and pip's own index (for installing llmenv itself) is the set's PyPI mirror. The URLs are the
plan's, decided once; nothing here chooses."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from llmenv.plan.model import Plan

CONFIG_DIR = "/opt/llmenv/config"


def exported_set(plan: Plan) -> tuple[str, dict[str, str]] | None:
    """(set name, role -> URL) of the sources the plan chose from a mirror set; None when none was chosen. A URL
    with credentials is refused: an image or workflow file would keep them for anyone who reads it."""
    from llmenv.errors import UsageError

    roles = {r.role: r.url for r in plan.mirrors.roles if r.url}
    if not roles:
        return None
    for role, url in roles.items():
        if urlsplit(url).username or urlsplit(url).password:
            raise UsageError(
                f"the {role} mirror carries credentials, which an exported file would keep in plain text",
                where=f"{plan.mirrors.requested_by.rstrip('=:')} {plan.mirrors.requested}",
                fix="export with a set whose URLs carry no credentials, and give the credentials to the build "
                "(a build secret, or a netrc file) instead",
            )
    requested = plan.mirrors.requested or "exported"
    name = requested if requested not in ("auto",) and "://" not in requested else "exported"
    out = dict(roles)
    if plan.mirrors.get("pytorch").flat and "pytorch" in out:
        out["pytorch_format"] = "flat"
    return name, out


def mirrors_yaml(name: str, roles: dict[str, str]) -> str:
    """One set; each value a JSON string, which YAML reads as a double-quoted scalar (no character can escape it)."""
    return f"{name}:\n" + "".join(f"  {role}: {json.dumps(url)}\n" for role, url in roles.items())


def dockerfile_lines(plan: Plan) -> list[str]:
    """ENV and COPY lines that make pip and llmenv in the image download from the exported set."""
    chosen = exported_set(plan)
    if chosen is None:
        return []
    name, roles = chosen
    env = [f"LLMENV_CONFIG_DIR={CONFIG_DIR}", f"LLMENV_MIRROR={name}"]
    if "pypi" in roles:
        env.append(f"PIP_INDEX_URL={json.dumps(roles['pypi'])}")
    lines = [f"# Mirror set {name} (llmenv export --mirror): pip and llmenv in the image download from it."]
    lines += ["ENV " + " \\\n    ".join(env)]
    lines += [f"COPY <<'LLMENV_MIRRORS' {CONFIG_DIR}/mirrors.yaml", *mirrors_yaml(name, roles).splitlines()]
    return [*lines, "LLMENV_MIRRORS", ""]


def workflow_parts(plan: Plan) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """(job env, a step writing mirrors.yaml from the env) for the CI workflow; ({}, []) without a mirror set.
    The file's text is an env value the step writes as a quoted shell variable, never text pasted into a script."""
    from llmenv.export.emit import github_value

    chosen = exported_set(plan)
    if chosen is None:
        return {}, []
    name, roles = chosen
    env = {
        "LLMENV_MIRROR": github_value(name),
        "LLMENV_CONFIG_DIR": ".llmenv-config",
        "LLMENV_MIRRORS_YAML": github_value(mirrors_yaml(name, roles)),
    }
    if "pypi" in roles:
        env["PIP_INDEX_URL"] = github_value(roles["pypi"])
    step = {
        "name": "Mirror set (llmenv export --mirror)",
        "run": 'mkdir -p "$LLMENV_CONFIG_DIR"\nprintf \'%s\' "$LLMENV_MIRRORS_YAML" > "$LLMENV_CONFIG_DIR/mirrors.yaml"\n',
    }
    return env, [step]


__all__ = ["CONFIG_DIR", "dockerfile_lines", "exported_set", "mirrors_yaml", "workflow_parts"]
