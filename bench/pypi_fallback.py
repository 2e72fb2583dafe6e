"""PyPI's torch build (issue 23) against the CPU build through a mirror: `llmenv setup <profile> --skip-smoke` in the
user's world (no pip configuration, no find-links), each with a fresh uv cache so every wheel is downloaded.

  (a) only PyPI answers (download.pytorch.org fails at DNS here): PyPI's build, from the real pypi.org;
  (b) a mirror set with `pypi` and `pytorch` roles on 127.0.0.1 (tests/helpers/mirror_server.py: this machine's
      /opt/pypi copy and the /opt/wheels torch 2.13.0+cpu build): the CPU build.

Reports the wall time of setup, uv's "Prepared N packages in X s" (the download and unpack) and the env's size.
(b) is served over loopback, so its time is the floor, not a network figure; sizes compare either way.

    .venv-dev/bin/python bench/pypi_fallback.py --profile transformers
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def user_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_FIND_LINKS", "PIP_INDEX", "PIP_EXTRA", "UV_"))}
    (tmp / "no-xdg").mkdir(exist_ok=True)
    config = tmp / "config"
    config.mkdir(exist_ok=True)
    return env | {
        "PIP_CONFIG_FILE": os.devnull,
        "XDG_CONFIG_DIRS": str(tmp / "no-xdg"),
        "UV_CACHE_DIR": str(tmp / "uv-cache"),
        "LLMENV_CONFIG_DIR": str(config),
    }


def run(profile: str, tmp: Path, env: dict[str, str], *extra: str) -> tuple[float, str, int]:
    target = tmp / "env"
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "llmenv", "setup", profile, "--env", str(target), "--skip-smoke", *extra],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"setup failed ({done.returncode}): {done.stderr[-2000:]}")
    logs = re.findall(r"log: (\S+setup-\S+\.log)", done.stdout + done.stderr)
    text = Path(logs[-1]).read_text(encoding="utf-8") if logs else ""
    prepared = "; ".join(re.findall(r"Prepared \d+ packages? in [\d.]+m?s", text)) or "?"
    size = int(subprocess.run(["du", "-sb", str(target.resolve())], capture_output=True, text=True).stdout.split()[0])
    return seconds, prepared, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", default="transformers")
    args = parser.parse_args()
    from tests.helpers.mirror_server import MirrorHost, serve_mirror

    with tempfile.TemporaryDirectory(prefix="llmenv-pypi-a-") as a:
        env = user_env(Path(a))
        seconds, prepared, size = run(args.profile, Path(a), env)
        print(f"(a) PyPI's build from pypi.org: {seconds:.1f} s, uv: {prepared}, env {size / 1e9:.2f} GB")
    with (
        tempfile.TemporaryDirectory(prefix="llmenv-pypi-b-") as b,
        serve_mirror(MirrorHost(wheels=Path("/opt/wheels"))) as host,
    ):
        env = user_env(Path(b))
        sets = f'campus:\n  pypi: "{host.base}/pypi/simple"\n  pytorch: "{host.base}/torch/whl/{{variant}}"\n'
        (Path(env["LLMENV_CONFIG_DIR"]) / "mirrors.yaml").write_text(sets)
        seconds, prepared, size = run(args.profile, Path(b), env, "--mirror", "campus")
        print(f"(b) CPU build through a mirror (loopback): {seconds:.1f} s, uv: {prepared}, env {size / 1e9:.2f} GB")


if __name__ == "__main__":
    main()
