"""Environment generations: atomic, owned, locked.

The env path is a symbolic link to `<env>.llmenv/gen-N`. A new generation is built at its final path (venvs are
not relocatable: scripts hold absolute paths), checked, stamped, and only then does the link move, by renaming a
new link over the old one: a single atomic step, so a crash, Ctrl-C or SIGKILL at any moment leaves the link on the
previous working generation. The previous generation is kept for `llmenv rollback`. Nothing is ever deleted unless
it carries llmenv's marker, and nothing at the env path is replaced unless llmenv made it or it is empty.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmenv.errors import LlmenvError, LockTimeout, UsageError, short_path
from llmenv.execute.envpath import check_env_path
from llmenv.execute.links import is_link, make_link, remove_link, replace_link
from llmenv.execute.privacy import strip_others_write
from llmenv.trust.private import check_private

OWNER = "llmenv-owner.json"
MARKER = "llmenv-generation.json"
STAMP = "llmenv-stamp.json"
KEEP = 2  # current + one to roll back to


@dataclass(frozen=True)
class EnvStore:
    env: Path

    @classmethod
    def at(cls, env: Path | str) -> EnvStore:
        return cls(Path(os.path.abspath(env)))

    @property
    def home(self) -> Path:
        return self.env.parent / f"{self.env.name}.llmenv"

    # -- ownership -------------------------------------------------------------------------------------------

    def check_ownership(self) -> None:
        """Refuse to touch an env path (or its .llmenv folder) that llmenv did not create, or that another user
        owns or can write (check_store_is_private)."""
        check_store_is_private(self)
        if is_link(self.env):
            target = Path(os.path.realpath(self.env))
            if target.parent != Path(os.path.realpath(self.home)):
                raise UsageError(
                    f"{self.env} is a link to {target}, which llmenv did not create",
                    where=str(self.env),
                    fix="choose another --env, or remove the link yourself",
                )
        elif self.env.exists() and (not self.env.is_dir() or any(self.env.iterdir())):
            raise UsageError(
                f"{self.env} already exists and was not created by llmenv (llmenv never overwrites or deletes "
                "what it did not create, --force included)",
                where=str(self.env),
                fix=f"use another path with --env, or move {self.env} away yourself",
            )
        if self.home.exists() and not (self.home / OWNER).is_file():
            raise UsageError(
                f"{self.home} exists but carries no llmenv marker",
                where=str(self.home),
                fix="move that folder away; llmenv keeps its environment generations there",
            )

    def ensure_home(self) -> None:
        created = not self.home.exists()
        self.home.mkdir(parents=True, exist_ok=True)
        if created:
            strip_others_write(self.home)
        # Checked after mkdir too: another user may have created the folder between the first check and now.
        check_private(self.home, "the environment store")
        ignore = self.home / ".gitignore"
        if not ignore.exists():
            # The store ignores itself for git, as virtualenv's venvs do (the link <env> is the user's to ignore).
            ignore.write_text("# created by llmenv: environment generations are not source\n*\n", encoding="utf-8")
        owner = self.home / OWNER
        if not owner.exists():
            try:
                _write_json(owner, {"created_by": "llmenv", "env": str(self.env), "created": time.time()})
            except OSError:
                if created:
                    _undo_new_folder(self.home, f".{OWNER}.tmp")
                raise
            strip_others_write(owner)
        check_private(owner, "the store's owner marker")

    # -- lock ------------------------------------------------------------------------------------------------

    @contextmanager
    def locked(self, timeout: float, on_wait: Any = None) -> Iterator[None]:
        from filelock import FileLock, Timeout

        try:
            self.ensure_home()
        except OSError as exc:
            raise store_fault(exc, self.home) from None
        check_private(self.home / "lock", "the store's lock file")
        lock = FileLock(str(self.home / "lock"), mode=0o644)
        try:
            lock.acquire(timeout=0)
        except Timeout:
            if on_wait:
                on_wait()
            try:
                lock.acquire(timeout=timeout)
            except Timeout:
                raise LockTimeout(
                    f"another llmenv setup is working on {self.env} and did not finish within {timeout:.0f} s",
                    where=str(self.home / "lock"),
                    fix="wait for it to finish, or raise --lock-timeout",
                ) from None
        except OSError as exc:
            raise store_fault(exc, self.home) from None
        try:
            yield
        finally:
            lock.release()

    # -- generations -----------------------------------------------------------------------------------------

    def generations(self) -> list[Path]:
        if not self.home.is_dir():
            return []
        gens = [p for p in self.home.iterdir() if p.is_dir() and p.name.startswith("gen-") and p.name[4:].isdigit()]
        return sorted(gens, key=lambda p: int(p.name[4:]))

    def current(self) -> Path | None:
        if not is_link(self.env):
            return None
        target = Path(os.path.realpath(self.env))
        return target if target.parent == Path(os.path.realpath(self.home)) and (target / STAMP).is_file() else None

    def stamp(self) -> dict[str, Any] | None:
        current = self.current()
        if current is None:
            return None
        from llmenv.door import files
        from llmenv.door.jsondoc import parse_json
        from llmenv.errors import InputError

        path = current / STAMP
        try:  # the door: bounded size and depth, no NaN; an unusable stamp is no stamp (the env is set up again)
            data = parse_json(files.read_text(path, files.STAMP), str(path), files.STAMP)
        except InputError:
            return None
        return data if isinstance(data, dict) else None

    def typed_stamp(self) -> Any:
        """The current generation's stamp as `llmenv.plan.stamp.EnvStamp` (None: none, or not a stamp)."""
        from llmenv.plan.stamp import EnvStamp

        return EnvStamp.from_dict(self.stamp())

    def new_generation(self) -> Path:
        self.ensure_home()
        # Numbers count committed generations only (a failed run does not use one up: the first success is
        # gen-1), and a committed number is never reused (the counter, written at commit, survives clean-ups),
        # so a path in an activated shell never silently means a different environment.
        number = max([self._last_committed(), *(int(p.name[4:]) for p in self.generations())]) + 1
        gen = self.home / f"gen-{number}"
        gen.mkdir()
        strip_others_write(gen)
        try:
            _write_json(gen / MARKER, {"created": time.time(), "pid": os.getpid()})
        except OSError:
            _undo_new_folder(gen, f".{MARKER}.tmp")  # else an unmarked gen-N stays that no clean-up may delete
            raise
        strip_others_write(gen / MARKER)
        return gen

    def _last_committed(self) -> int:
        try:
            return int((self.home / "last-generation").read_text().strip())
        except (OSError, ValueError):
            return 0

    def commit(self, gen: Path, stamp: dict[str, Any]) -> None:
        """Stamp the generation, count it, then move the link to it in one atomic rename."""
        _write_json(gen / STAMP, stamp)
        counter = self.home / "last-generation"
        counter.write_text(f"{max(self._last_committed(), int(gen.name[4:]))}\n")
        strip_others_write(counter)
        for path in (gen / STAMP, gen / "bin", gen / "Scripts", gen / "pyvenv.cfg"):
            strip_others_write(path)
        link_tmp = self.home / f".link-{os.getpid()}"
        if is_link(link_tmp) or link_tmp.exists():
            remove_link(link_tmp)
        make_link(gen, link_tmp, self.env)  # a junction on Windows without the symlink privilege (execute/links.py)
        if self.env.is_dir() and not is_link(self.env):
            self.env.rmdir()  # only ever an empty folder here: check_ownership refused anything else
        replace_link(link_tmp, self.env)

    def discard(self, gen: Path) -> None:
        """Remove a generation llmenv made, never the one the link points to."""
        if (gen / MARKER).is_file() and gen != self.current() and gen.parent == self.home:
            shutil.rmtree(gen, ignore_errors=True)

    def clean(self, background: bool = False) -> list[Path]:
        """Under the lock: drop unfinished generations (a killed run's) and all but the newest committed ones.

        Each is first renamed into `.trash-*` (instant, atomic), then deleted; with `background`, deletion runs in
        a detached process so a multi-GB old generation does not delay the command that replaced it."""
        current = self.current()
        removed = []
        committed = [g for g in self.generations() if (g / STAMP).is_file()]
        keep = set(committed[-KEEP:]) | ({current} if current else set())
        for gen in self.generations():
            if gen not in keep and ((gen / MARKER).is_file() or _only_our_leftovers(gen)):
                gen.rename(self.home / f".trash-{gen.name}-{os.getpid()}")
                removed.append(gen)
        for stray in self.home.glob(".link-*"):
            remove_link(stray)
        trash = [p for p in self.home.glob(".trash-*") if p.is_dir()]
        if trash and background:
            _delete_detached(trash)
        else:
            for folder in trash:
                shutil.rmtree(folder, ignore_errors=True)
        return removed

    def committed_generations(self) -> list[Path]:
        """The generations rollback may switch to: stamped (finished), by number."""
        return [g for g in self.generations() if (g / STAMP).is_file()]

    def committed(self, number: int) -> Path | None:
        return next((g for g in self.committed_generations() if g.name == f"gen-{number}"), None)

    def previous(self) -> Path | None:
        """The committed generation just below the current one by number (never a newer one)."""
        current = self.current()
        committed = [g for g in self.committed_generations() if g != current]
        older = [g for g in committed if current is None or int(g.name[4:]) < int(current.name[4:])]
        return older[-1] if older else None

    def remove_if_left_empty(self) -> bool:
        """Remove a store holding only llmenv's bookkeeping (no generation, no link to it): what a first setup
        interrupted before it made a generation leaves. Anything else in the folder keeps it. (The counter goes
        with it: no generation number was ever committed, so none can be reused for another environment.)"""
        bookkeeping = {".gitignore", OWNER, "lock", "last-generation"}
        if is_link(self.env) or self.home.is_symlink() or not (self.home / OWNER).is_file():
            return False
        try:
            entries = list(self.home.iterdir())
            if any(e.name not in bookkeeping and not e.name.startswith(".link-") for e in entries):
                return False
            for entry in entries:
                entry.unlink()
            self.home.rmdir()
        except OSError:
            return False
        return True

    # -- failure handling (faults) -----------------------------------------------------------------------------

    def check_path(self) -> None:
        """Refuse env paths the file system cannot hold, and envs inside another env's store or generation (the
        outer env's next update would delete them with its old generation)."""
        check_env_path(self.env)
        for folder in [Path(os.path.realpath(self.env.parent)), *Path(os.path.realpath(self.env.parent)).parents]:
            if (folder / MARKER).is_file() or (folder / OWNER).is_file():
                outer = folder if (folder / OWNER).is_file() else folder.parent
                raise UsageError(
                    f"{short_path(self.env)} is inside {short_path(outer)}, where llmenv keeps another "
                    "environment's generations; it would be deleted with them by that environment's next update",
                    where="--env",
                    fix="put the environment beside the other one, not inside it (e.g. --env "
                    f"{short_path(outer.parent / (self.env.name + '-2'))})",
                )

    def unfinished(self) -> list[Path]:
        """Generations that were started but never committed (a run killed during the build): a later setup
        removes them; doctor reports them."""
        current = self.current()
        return [
            g
            for g in self.generations()
            if g != current and not (g / STAMP).is_file() and ((g / MARKER).is_file() or _only_our_leftovers(g))
        ]

    def switch_to(self, gen: Path) -> None:
        link_tmp = self.home / f".link-{os.getpid()}"
        make_link(gen, link_tmp, self.env)
        replace_link(link_tmp, self.env)


def store_fault(exc: OSError, home: Path) -> LlmenvError:
    """A store that cannot be written (full, read-only, not ours to write): say which store and why."""
    from llmenv.errors import file_system_error

    if exc.filename is None:
        exc = OSError(exc.errno, exc.strerror, str(home))
    return file_system_error(exc, "write to the environment store", where=short_path(home))


def _only_our_leftovers(gen: Path) -> bool:
    """A gen-N folder holding nothing or only the marker's temporary file: what a run that hit a full disk while
    writing the marker leaves (it is llmenv's, though it carries no marker)."""
    try:
        return {p.name for p in gen.iterdir()} <= {f".{MARKER}.tmp"}
    except OSError:
        return False


def _undo_new_folder(folder: Path, tmp_name: str) -> None:
    """Remove a folder this run just created, and the one temporary file it may hold, without following links."""
    try:
        (folder / tmp_name).unlink(missing_ok=True)
        folder.rmdir()
    except OSError:
        pass


# -- who may have written here: the store must be the invoking user's alone -----------------------------------
#
# Threat: on a world-writable parent (/tmp, a shared scratch disk) another local user can create `<env>.llmenv/`
# with a forged owner marker before the first setup, or swap a generation in a store others can write; the next
# setup (as root, say) would run that user's bin/python. So the store, its generations (and their bin/, marker and
# stamp), the link, the lock and the counter must belong to the invoking user and not be writable by group or
# others; anything else is refused before llmenv runs or trusts any of it.


def check_store_is_private(store: EnvStore) -> None:
    """Raise UnsafeStoreError when any part of the store another user owns or can write, or a folder above it
    fails the ownership rule (`llmenv.trust`: in a 0777 folder anyone could swap the store after this check)."""
    from llmenv.trust import require_env_folder

    require_env_folder(store.env)
    if is_link(store.env):
        check_private(store.env, "the environment link")
    if not store.home.exists() and not store.home.is_symlink():
        return
    check_private(store.home, "the environment store")
    for name, what in ((OWNER, "the store's owner marker"), ("lock", "the store's lock file")):
        check_private(store.home / name, what)
    check_private(store.home / "last-generation", "the store's generation counter")
    for gen in store.generations():
        check_private(gen, "the environment generation")
        for name in (MARKER, STAMP, "bin", "Scripts", "pyvenv.cfg"):
            check_private(gen / name, "the environment generation's " + name)


def _delete_detached(folders: list[Path]) -> None:
    import sys

    from llmenv.process import spawn_detached

    code = "import shutil, sys\nfor p in sys.argv[1:]:\n    shutil.rmtree(p, ignore_errors=True)\n"
    spawn_detached([sys.executable, "-c", code, *map(str, folders)])


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    os.replace(tmp, path)


__all__ = [
    "MARKER",
    "OWNER",
    "STAMP",
    "EnvStore",
    "LockTimeout",
    "check_env_path",
    "check_private",
    "check_store_is_private",
]
