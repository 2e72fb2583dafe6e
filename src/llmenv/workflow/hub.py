"""The model hub for `smoke --model`: which endpoint (the `huggingface` mirror role, HF_ENDPOINT, or
huggingface.co), and a check within seconds that it answers, so an unreachable hub is one clear error naming the
host and suggesting --mirror instead of a traceback after a minute of retries."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from llmenv.errors import HostError
from llmenv.mirrors.decide import MirrorPlan

HUB = "https://huggingface.co"
TIMEOUT = 4.0


def endpoint(mirrors: MirrorPlan) -> tuple[str, str]:
    """(URL, where it came from)."""
    role = mirrors.get("huggingface")
    if role.url:
        return role.url.rstrip("/"), f"mirror set {role.source}"
    if os.environ.get("HF_ENDPOINT"):
        return os.environ["HF_ENDPOINT"].rstrip("/"), "HF_ENDPOINT"
    return HUB, "default"


@contextmanager
def hub_endpoint(mirrors: MirrorPlan) -> Iterator[None]:
    """HF_ENDPOINT for the processes started inside (the env's checks), restored afterwards."""
    url = mirrors.url("huggingface")
    if url is None:
        yield
        return
    before = os.environ.get("HF_ENDPOINT")
    os.environ["HF_ENDPOINT"] = url.rstrip("/")
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("HF_ENDPOINT", None)
        else:
            os.environ["HF_ENDPOINT"] = before


def is_hub_id(model: str) -> bool:
    """A hub id (bert-base-uncased, org/name), not a local folder, nor `tutorial` (the Keras tutorial's model)."""
    return (
        model != "tutorial"
        and not Path(model).exists()
        and model.count("/") <= 1
        and not model.startswith((".", "/", "~"))
    )


def cached(model: str) -> bool:
    """Already in the Hugging Face cache (then no hub is needed: the run goes offline)."""
    hub_cache = os.environ.get("HF_HUB_CACHE") or os.path.join(
        os.environ.get("HF_HOME") or os.path.join(os.path.expanduser("~"), ".cache", "huggingface"), "hub"
    )
    folder = Path(hub_cache) / ("models--" + model.replace("/", "--")) / "snapshots"
    return folder.is_dir() and any(folder.iterdir())


def check_hub(model: str, url: str, source: str, command: str, cafile: str | None = None) -> None:
    """`command` is the user's smoke command line without --mirror, so the fix can give it whole."""
    from llmenv.probe.index import check_url

    status = check_url(f"{url}/api/models/{model}", "huggingface", timeout=TIMEOUT, cafile=cafile)
    if status.reachable:
        return
    host = urlsplit(url).hostname or url
    raise HostError(
        f"the model hub {host} ({source}) cannot be reached for --model {model}: {status.detail}",
        where="--model",
        fix=f"use a hub mirror, e.g. `{command} --mirror hf-mirror` (or --mirror auto, or a set of your own in "
        "mirrors.yaml), or give a local model folder",
    )


__all__ = ["HUB", "cached", "check_hub", "endpoint", "hub_endpoint", "is_hub_id"]
