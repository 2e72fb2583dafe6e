"""`llmenv export` carries the hashed lock for the image into its build context: a lock another user can write is
refused there as setup refuses it (the door's trust rule), not carried into the image root builds.

Found by trying export as a hostile local user on main at 9d74d6a: `nobody` made `llmenv-locks/` in a folder of
theirs with `torch.cpu.py311.x86_64-manylinux_2_28.lock.txt` (the right profile hash, `evil==6.6.6` pinned); root's
`llmenv export torch --format dockerfile -o OUT` in that folder copied it beside the Dockerfile (workflow/artifacts.py
read it with `Path.read_text`, past the door), while `llmenv setup torch` there refused the same lock (exit 5)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from llmenv.errors import ExitCode
from llmenv.export.images import image_python
from llmenv.plan.make import Options, make_plan
from llmenv.profiles.load import load_profile
from tests.helpers.facts import host
from tests.hostile.conftest import assert_clean, llmenv
from tests.hostile.test_store_ownership import as_nobody

pytestmark = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="needs root and setpriv to act as a second user",
)


def test_another_users_lock_is_not_carried_into_the_image(shared: Path, tmp_path: Path) -> None:
    plan = make_plan(load_profile("torch"), host(), Options(env=".venv"), {})
    minor = "".join(image_python(plan).split(".")[:2])
    name = f"torch.cpu.py{minor}.x86_64-manylinux_2_28.lock.txt"
    text = f"# llmenv lock for profile torch (cpu)\n# profile content hash {plan.profile_hash}\nevil==6.6.6\n"
    project = shared / "project"
    as_nobody('mkdir -p "$1/llmenv-locks" && printf "%s" "$2" > "$1/llmenv-locks/$3"', str(project), text, name)
    out = tmp_path / "image"
    result = llmenv("export", "torch", "--format", "dockerfile", "-o", str(out / "Dockerfile"), cwd=project)
    assert not any("evil" in p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())
    assert_clean(result, ExitCode.UNSAFE_STORE, mentions=("refusing the lock file", "nobody"))
