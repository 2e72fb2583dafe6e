"""YAML file -> validated `ProfileFile` -> resolved `Profile`, collecting every problem before failing once."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement
from pydantic import ValidationError

from llmenv.door.files import PROFILE, read_text
from llmenv.errors import InputError, ProfileError, ProfileIssue
from llmenv.profiles.locate import REGULAR_FIX, SUFFIXES, Located, locate, looks_like_path
from llmenv.profiles.model import (
    DEFAULT_ENV,
    AcceleratorOverride,
    Checks,
    Profile,
    ProfileFile,
    Smoke,
    is_pinned,
    merge_requirements,
    project_name,
)
from llmenv.profiles.validation import issue_from_pydantic, kind_of
from llmenv.profiles.yamlmap import ParsedYaml, dotted, parse_yaml


@dataclass(frozen=True)
class LoadedFile:
    """One validated file and where its keys are, so later checks (extends, pins) can still point at lines."""

    path: Path
    model: ProfileFile
    parsed: ParsedYaml
    origin: str

    def issue(self, key_path: tuple[str | int, ...], message: str, fix: str | None = None) -> ProfileIssue:
        return ProfileIssue(str(self.path), self.parsed.line_of(key_path), dotted(key_path), message, fix)


def read_profile_file(path: Path, origin: str = "path") -> LoadedFile:
    """Parse and validate one file on its own; raises ProfileError listing every problem in it."""
    shown = str(path)
    try:
        text = read_text(path, PROFILE)  # the door: regular file, 1 MiB, strict UTF-8, located errors
    except InputError as exc:
        fix = REGULAR_FIX if "regular file" in exc.message else exc.fix
        raise ProfileError([ProfileIssue(shown, exc.line, "", exc.message, fix)]) from None
    if not text.strip():
        raise ProfileError(
            [ProfileIssue(shown, 1, "", "the file is empty", "a profile needs at least 'name' and 'packages'")]
        )
    parsed = parse_yaml(text)
    issues = [ProfileIssue(shown, p.line, p.key, p.message, p.fix) for p in parsed.problems]
    if parsed.data is None and not issues:
        issues.append(ProfileIssue(shown, 1, "", "the file is empty", "a profile needs at least 'name' and 'packages'"))
    if issues:
        raise ProfileError(issues)
    if not isinstance(parsed.data, dict):
        raise ProfileError(
            [
                ProfileIssue(
                    shown,
                    parsed.line_of(()),
                    "",
                    f"expected a mapping of keys (name, packages, ...) at the top level, found {kind_of(parsed.data)}",
                    "start the file with 'name: my-profile'",
                )
            ]
        )
    _refuse_foreign(shown, parsed)
    issues = _pin_issues(shown, parsed)
    try:
        model = ProfileFile.model_validate(parsed.data)
    except ValidationError as exc:
        issues = [issue_from_pydantic(shown, parsed, err) for err in exc.errors(include_url=False)] + issues
    if issues:
        raise ProfileError(sorted(issues, key=lambda i: i.line or 0))
    return LoadedFile(path, model, parsed, origin)


def load_profile(ref: str, *, cwd: Path | None = None) -> Profile:
    """Find a profile by name or path, follow `extends`, merge, and return the resolved profile."""
    located = locate(ref, cwd=cwd)
    return resolve(read_profile_file(located.path, located.origin), cwd=cwd)


def resolve(child: LoadedFile, *, cwd: Path | None = None) -> Profile:
    chain = [child]
    seen = {child.path.resolve(): child.model.name}
    while (parent_ref := chain[-1].model.extends) is not None:
        current = chain[-1]
        located = _locate_parent(parent_ref, current, cwd)
        key = located.path.resolve()
        if key in seen:
            names = " -> ".join([f.model.name for f in chain] + [seen[key]])
            raise ProfileError(
                [
                    current.issue(
                        ("extends",),
                        f"'extends' makes a cycle: {names}",
                        "remove 'extends' from one of these profiles",
                    )
                ]
            )
        parent = _read_parent(located, parent_ref, current)
        seen[key] = parent.model.name
        chain.append(parent)
    return _merge(chain)


def _locate_parent(ref: str, child: LoadedFile, cwd: Path | None) -> Located:
    """A parent is a profile name or a .yaml/.yml path, resolved from the child's folder; nothing else is opened.

    `extends` is followed without the user looking at the file, so it must not become a way to read (and have an
    error message quote) an arbitrary file such as /etc/shadow."""
    if looks_like_path(ref):
        if not ref.endswith(SUFFIXES):
            raise ProfileError(
                [
                    child.issue(
                        ("extends",),
                        f"'extends' names '{ref}', which is not a profile file: a parent is a profile name or a "
                        "path ending in .yaml or .yml",
                        "write the parent's profile name (extends: torch) or its .yaml path relative to this file",
                    )
                ]
            )
        path = Path(ref) if Path(ref).is_absolute() else child.path.parent / ref
        return _checked_parent(path, ref, child)
    for suffix in SUFFIXES:
        sibling = child.path.parent / f"{ref}{suffix}"
        if os.path.lexists(sibling):
            return _checked_parent(sibling, ref, child)
    try:
        return locate(ref, cwd=cwd)
    except ProfileError as exc:
        raise ProfileError(
            [child.issue(("extends",), f"parent profile '{ref}' not found ({exc.issues[0].message})")]
        ) from None


def _checked_parent(path: Path, ref: str, child: LoadedFile) -> Located:
    if not path.exists():
        raise ProfileError(
            [
                child.issue(
                    ("extends",),
                    f"parent profile '{ref}' not found: {path} does not exist",
                    "paths in 'extends' are relative to the folder of the profile that names them",
                )
            ]
        )
    if not path.is_file():
        raise ProfileError([child.issue(("extends",), f"parent '{ref}': {path} is not a regular file", REGULAR_FIX)])
    return Located(path, child.origin)


def _read_parent(located: Located, ref: str, child: LoadedFile) -> LoadedFile:
    """Validate a parent only once it looks like a profile (a mapping with 'name'), so a YAML file that is not one
    (credentials, someone else's config) is refused without any of its content in the message."""
    try:
        parsed = parse_yaml(read_text(located.path, PROFILE))
    except InputError as exc:
        raise ProfileError(
            [child.issue(("extends",), f"parent '{ref}' cannot be used: {exc.message}", REGULAR_FIX)]
        ) from None
    if not parsed.problems and not (isinstance(parsed.data, dict) and isinstance(parsed.data.get("name"), str)):
        raise ProfileError(
            [
                child.issue(
                    ("extends",),
                    f"parent '{ref}' ({located.path}) is not an llmenv profile: it has no top-level 'name'",
                    "point 'extends' at a profile file (name, python, packages), or remove it",
                )
            ]
        )
    return read_profile_file(located.path, located.origin)


def _merge(chain: list[LoadedFile]) -> Profile:
    """Fold from the root ancestor down, so each child wins over its parent."""
    python: str | None = None
    env: str | None = None
    accelerator: str | None = None
    description = ""
    packages: tuple[str, ...] = ()
    unpinned: list[str] = []
    overrides: dict[str, dict[str, Any]] = {}
    checks: dict[str, Any] = {}
    smoke: dict[str, Any] | None = None
    mirror: str | None = None
    pytorch_index = "prefer"
    jupyter = False
    for loaded in reversed(chain):
        m = loaded.model
        set_keys = m.model_fields_set
        python = m.python if "python" in set_keys else python
        env = m.env if "env" in set_keys else env
        mirror = m.mirror if "mirror" in set_keys else mirror
        pytorch_index = m.pytorch_index if "pytorch_index" in set_keys else pytorch_index
        jupyter = bool(m.jupyter) if "jupyter" in set_keys else jupyter
        accelerator = m.accelerator if "accelerator" in set_keys else accelerator
        description = m.description if "description" in set_keys else description
        packages = merge_requirements(packages, m.packages)
        unpinned += [n for n in m.allow_unpinned if n not in unpinned]
        for acc, override in m.accelerators.items():
            prior = overrides.get(acc, {})
            merged = {**prior, **override.model_dump(exclude_unset=True)}
            merged["packages"] = list(merge_requirements(prior.get("packages", []), override.packages))
            for key in ("remove", "index_packages"):
                merged[key] = list(dict.fromkeys([*prior.get(key, []), *getattr(override, key)]))
            overrides[acc] = merged
        if m.checks is not None:
            update = m.checks.model_dump(exclude_unset=True)
            if "imports" in update:
                update["imports"] = list(dict.fromkeys([*checks.get("imports", []), *update["imports"]]))
            if "versions" in update:
                update["versions"] = {**checks.get("versions", {}), **update["versions"]}
            checks = {**checks, **update}
        if m.smoke is not None:
            smoke = {**(smoke or {}), **m.smoke.model_dump(exclude_unset=True)}
    leaf = chain[0]
    issues = []
    if python is None:
        issues.append(
            leaf.issue((), "no 'python' specifier in the profile or its parents", "add e.g. python: '>=3.10,<3.13'")
        )
    if not packages:
        issues.append(
            leaf.issue((), "no 'packages' in the profile or its parents", "add e.g. packages: ['torch==2.13.0']")
        )
    if issues:
        raise ProfileError(issues)
    assert python is not None
    return Profile(
        name=leaf.model.name,
        description=description,
        python=python,
        env=env or DEFAULT_ENV,
        accelerator=accelerator or "auto",
        packages=packages,
        allow_unpinned=tuple(unpinned),
        accelerators={k: AcceleratorOverride.model_validate(v) for k, v in overrides.items()},
        checks=Checks.model_validate(checks),
        smoke=Smoke.model_validate(smoke) if smoke else None,
        source=str(leaf.path),
        origin=leaf.origin,
        chain=tuple(f.model.name for f in chain),
        mirror=mirror,
        pytorch_index=pytorch_index,
        jupyter=jupyter,
        files=tuple(str(f.path) for f in chain if f.origin != "builtin"),
    )


def _refuse_foreign(shown: str, parsed: ParsedYaml) -> None:
    """A mapping with no 'name' and no key that is, or nearly is, a profile key is not a profile (a link to a
    system file, someone else's configuration): it is refused without quoting any of its keys or lines."""
    import difflib

    data = parsed.data
    if "name" in data:
        return
    known = list(ProfileFile.model_fields)
    if any(isinstance(k, str) and difflib.get_close_matches(k, known, n=1, cutoff=0.75) for k in data):
        return
    raise ProfileError(
        [
            ProfileIssue(
                shown,
                None,
                "",
                "this is not an llmenv profile: no top-level key is a profile's (name, python, packages, ...)",
                "give the path of a profile file; `llmenv profiles schema` shows the keys a profile has",
            )
        ]
    )


def _pin_issues(file: str, parsed: ParsedYaml) -> list[ProfileIssue]:
    """Unpinned requirements, checked on the raw data so they are reported alongside schema errors."""
    data = parsed.data
    allowed = {project_name(n) for n in _strings(data.get("allow_unpinned")) if _is_requirement(n)}
    lists: list[tuple[tuple[str | int, ...], Any]] = [(("packages",), data.get("packages"))]
    accelerators = data.get("accelerators")
    if isinstance(accelerators, dict):
        lists += [
            (("accelerators", a, "packages"), o.get("packages")) for a, o in accelerators.items() if isinstance(o, dict)
        ]
    issues = []
    for key, requirements in lists:
        if not isinstance(requirements, list):
            continue
        for index, requirement in enumerate(requirements):
            if not isinstance(requirement, str) or not _is_requirement(requirement):
                continue  # the schema check reports it
            name = project_name(requirement)
            if not is_pinned(requirement) and name not in allowed:
                path = (*key, index)
                issues.append(
                    ProfileIssue(
                        file,
                        parsed.line_of(path),
                        dotted(path),
                        f"'{requirement}' is not pinned: profiles install exact versions so every machine "
                        "gets the same stack",
                        f"pin it as '{name}==X.Y.Z', or list '{name}' under 'allow_unpinned'",
                    )
                )
    return issues


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _is_requirement(text: str) -> bool:
    try:
        project_name(text)
    except InvalidRequirement:
        return False
    return True


__all__ = ["LoadedFile", "load_profile", "read_profile_file", "resolve"]
