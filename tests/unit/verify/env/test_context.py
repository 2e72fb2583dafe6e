"""Where a shadowing copy comes from, from the user-context answer of the locate payload (its JSON shape)."""

from __future__ import annotations

import pytest

from llmenv.verify.env.context import classify

SITE = "/home/u/.venv/lib/python3.12/site-packages"


def answer(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "path": ["", "/usr/lib/python312.zip", "/usr/lib/python3.12", SITE, "/opt/extra"],
        "cwd": "/home/u/work",
        "user_site": None,
        "pth": [[f"{SITE}/extra.pth", ["/opt/extra"]]],
    }
    return base | changes


def test_working_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTHONPATH", raising=False)
    source, fix = classify("/home/u/work/torch/__init__.py", answer(), [])
    assert source == "the working folder" and "./torch" in fix


def test_pth_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTHONPATH", raising=False)
    source, fix = classify("/opt/extra/numpy/__init__.py", answer(), ["/usr/lib/python3.12", SITE])
    assert source == f"/opt/extra, added by {SITE}/extra.pth" and f"remove {SITE}/extra.pth" in fix


def test_user_site(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYTHONPATH", raising=False)
    user = "/home/u/.local/lib/python3.12/site-packages"
    data = answer(path=["", user, SITE], user_site=user, pth=[])
    source, fix = classify(f"{user}/torch/__init__.py", data, [SITE])
    assert source == f"the user site {user}" and "PYTHONNOUSERSITE=1" in fix
