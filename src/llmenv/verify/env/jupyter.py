"""Does the env's Jupyter kernel exist, and does it start this env's Python through the env's stable path?

Asked by `doctor --env` (and setup's checks) when the profile or the user asked for a kernel, or when one is already
registered for the env: a kernel left pointing at a deleted generation or another env starts the wrong Python, or
none, and Jupyter only says "kernel died"."""

from __future__ import annotations

import os
import platform
from pathlib import Path

from llmenv.plan.jupyter import kernel_name, kernel_python, spec_path
from llmenv.verify.model import Finding, fail, ok


def kernel_findings(env: Path, wanted: bool, installed: dict[str, str], setup: str) -> list[Finding]:
    """`setup`: the command that rebuilds this env (fixes.setup_command); `--jupyter` is added to it."""
    system = platform.system()
    spec = spec_path(env, os.environ, system, Path.home())
    fix = f"register it again with `{setup} --jupyter`"
    if not spec.is_file():
        if not wanted:
            return []
        where = "JUPYTER_DATA_DIR" if os.environ.get("JUPYTER_DATA_DIR") else "the Jupyter data folder"
        return [fail("env.jupyter", "env", "no Jupyter kernel for this env", f"{spec} does not exist ({where})", fix)]
    from llmenv.door.files import Kind, read_text
    from llmenv.door.jsondoc import parse_json
    from llmenv.errors import InputError

    kind = Kind("Jupyter kernel spec", 64 * 1024, fix)
    try:
        argv = parse_json(read_text(spec, kind), str(spec), kind).get("argv") or []
    except (InputError, OSError, ValueError, AttributeError) as exc:
        return [fail("env.jupyter", "env", "the env's Jupyter kernel spec is unreadable", f"{spec}: {exc}", fix)]
    expected = str(kernel_python(env, system))
    first = str(argv[0]) if argv else "(empty argv)"
    if first != expected:
        evidence = f"{spec} starts {first}, not the env's stable {expected}"
        return [fail("env.jupyter", "env", "the env's Jupyter kernel starts another Python", evidence, fix)]
    if "ipykernel" not in installed:
        evidence = f"{spec} runs `{expected} -m ipykernel_launcher`, and ipykernel is not installed in {env}"
        return [fail("env.jupyter", "env", "the env's Jupyter kernel cannot start", evidence, fix)]
    title = f"Jupyter kernel {kernel_name(env)} starts this env's Python"
    return [
        ok(
            "env.jupyter",
            "env",
            title,
            f"{spec}: {expected} -m ipykernel_launcher (ipykernel {installed['ipykernel']})",
        )
    ]


__all__ = ["kernel_findings"]
