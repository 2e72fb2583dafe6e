"""What a killed or failed setup left in the env's store: generations started and never committed."""

from __future__ import annotations

from pathlib import Path

from llmenv.verify.model import Finding, Status


def unfinished_generations(env: Path) -> Finding | None:
    """A run killed during the build (kill -9, power loss) leaves a gen-N without a stamp: it uses disk, is never
    the env, and the next setup removes it; doctor says so rather than staying silent about it."""
    from llmenv.execute.store import EnvStore

    store = EnvStore.at(env)
    if not store.home.is_dir():
        return None
    left = store.unfinished()
    if not left:
        return Finding("env.unfinished", "env", Status.OK, "no unfinished generations", str(store.home))
    names = ", ".join(g.name for g in left)
    return Finding(
        "env.unfinished",
        "env",
        Status.WARN,
        f"unfinished generation{'s' if len(left) > 1 else ''} in {store.home.name}",
        f"{names} in {store.home} were started by a setup that did not finish (killed, or still running now); "
        "they are not used",
        f"the next `llmenv setup --env {env}` removes them (or delete them: they are never the current env)",
    )


__all__ = ["unfinished_generations"]
