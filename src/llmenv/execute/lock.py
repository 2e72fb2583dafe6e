"""`uv pip compile --generate-hashes` for a plan: the full, hashed dependency set of one variant."""

from __future__ import annotations

from pathlib import Path

from llmenv.errors import InstallError
from llmenv.execute.installers import Command, run_command
from llmenv.execute.installers.credentials import private_sources
from llmenv.execute.installers.uv import source_args
from llmenv.paths import open_fresh, write_regular
from llmenv.plan.model import Plan
from llmenv.tools import uv_binary


def compile_command(plan: Plan, requirements_in: Path, output: Path, platform: str) -> Command:
    args, env = source_args(plan.indexes)
    for constraint in plan.indexes.constraints:
        args += ["--constraints", constraint]
    minor = ".".join(plan.python_version.split(".")[:2])
    return private_sources(Command(
        [
            uv_binary(), "pip", "compile", str(requirements_in), "--generate-hashes", "--no-header",
            "--python-version", minor, "--python-platform", platform, "-o", str(output), *args,
        ],
        env,
    ))  # fmt: skip


def write_lock(plan: Plan, output: Path, platform: str, log: Path) -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    requirements_in = output.with_name(output.name + ".in")
    with open_fresh(requirements_in) as handle:
        handle.write(("\n".join(plan.requirements) + "\n").encode("utf-8"))
    tmp = output.with_name(f".{output.name}.tmp")
    tmp.unlink(missing_ok=True)  # uv writes it: a link another user left at the name is not followed
    try:
        result = run_command(compile_command(plan, requirements_in, tmp, platform), log, timeout=900)
        if not result.ok:
            from llmenv.execute.build import relevant_lines

            excerpt = "\n".join(f"  {line}" for line in relevant_lines(result.stdout))
            from llmenv.execute.build import sources_fix

            said = result.stdout + "\n" + result.stderr
            fix = sources_fix(plan, said, f"llmenv lock {plan.profile}") or "check the pins and indexes"
            raise InstallError(f"locking {plan.profile} failed:\n{excerpt}\nFull log: {log}", fix=fix)
        header = (
            f"# llmenv lock for profile {plan.profile} ({plan.accelerator.value}"
            f"{', ' + plan.variant.value if plan.variant else ''}), Python {plan.python_version}, {platform}\n"
            f"# profile content hash {plan.profile_hash}\n"
        )
        write_regular(output, header + tmp.read_text(encoding="utf-8"))
    finally:
        tmp.unlink(missing_ok=True)
        requirements_in.unlink(missing_ok=True)
    return output


__all__ = ["compile_command", "write_lock"]
