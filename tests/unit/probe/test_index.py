"""Is it a package index? Judged from the first bytes of real index pages (tests/data) and of pages that are not."""

from __future__ import annotations

from pathlib import Path

from llmenv.plan.indexes import unfindable
from llmenv.probe.index import judge_page

DATA = Path(__file__).resolve().parents[2] / "data"


def test_pypi_pages_are_indexes() -> None:
    assert judge_page((DATA / "pypi-simple-head.html").read_bytes(), "text/html", "index-url")[0] == "ok"
    json_head = (DATA / "pypi-simple-tqdm-head.json").read_bytes()
    assert judge_page(json_head, "application/vnd.pypi.simple.v1+json", "index-url")[0] == "not-index"  # no meta yet
    assert judge_page(json_head + b', "meta": {"api-version": "1.1"}', "application/json", "variant")[0] == "ok"


def test_a_welcome_page_is_not_an_index() -> None:
    page = b"<html><head><title>Welcome to nginx!</title></head><body><h1>It works</h1></body></html>"
    kind, detail, _ = judge_page(page, "text/html; charset=utf-8", "index-url")
    assert kind == "not-index" and "PEP 503" in detail


def test_find_links_page_lists_archives_and_pins_are_matched_by_label() -> None:
    page = (
        b'<a href="torch-2.13.0%2Bcpu-cp311-cp311-manylinux_2_28_x86_64.whl">torch</a>'
        b'<a href="/files/numpy-2.2.6.tar.gz#sha256=00">numpy</a><a href="../">up</a>'
    )
    kind, _, files = judge_page(page, "text/html", "find-links")
    names = ["torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl", "numpy-2.2.6.tar.gz"]
    assert kind == "ok" and list(files or ()) == names
    assert unfindable(("torch==2.13.0+cpu", "numpy==2.2.6", "tqdm==4.0"), names) == ["tqdm==4.0"]
    assert unfindable(("torch==2.13.0+cu126",), names) == ["torch==2.13.0+cu126"]


def test_closure_follows_requires_and_markers() -> None:
    from llmenv.plan.indexes import missing_closure

    archives = ["torch-2.13.0+cpu-cp311-cp311-linux_x86_64.whl", "sympy-1.13.0-py3-none-any.whl"]
    requires = {
        archives[0]: ("sympy>=1.13.3", "filelock", "nvidia-nccl-cu12; platform_system == 'Windows'"),
        archives[1]: ("mpmath<1.4",),
    }
    markers = {"python_version": "3.11", "python_full_version": "3.11.7", "platform_system": "Linux"}
    missing = missing_closure(("torch==2.13.0+cpu",), archives, requires, markers)
    assert missing == ["sympy>=1.13.3 (needed by torch 2.13.0+cpu)", "filelock (needed by torch 2.13.0+cpu)"]
