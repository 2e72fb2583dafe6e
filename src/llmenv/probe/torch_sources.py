"""Which builds of the per-variant projects (torch) the configured sources offer, read when the PyTorch index did
not answer: the facts plan/pypi_torch.py decides PyPI's fallback from. One GET of `<default index>/torch/` (PyPI's
PEP 691 page is about 0.4 MB and says each file's size), the extra indexes' pages, and a listing of local find-links
folders; remote find-links pages are read as pages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from llmenv.probe.index import check_all, project_page


@dataclass(frozen=True)
class TorchSources:
    """The default index's file list for each per-variant project (`<index>/torch/`; name -> size in bytes, None
    where the index does not say: PEP 503 HTML pages never do), and the archive names every other configured
    source (find-links, extra indexes) offers for them."""

    index: str  # the default index that was asked: PyPI, the `pypi` mirror role, or the configured index-url
    source: str  # how to name it: "PyPI", "mirror set 'tuna' (pypi role)", "index-url ..."
    pages: Mapping[str, Mapping[str, int | None]]  # project -> {file name: size}; a project not answered is absent
    elsewhere: tuple[str, ...] = ()  # archive names in find-links and the extra indexes' project pages
    offline: bool = False  # listed from local find-links folders only (--offline, a bundle): nothing was asked

    def to_dict(self) -> dict[str, Any]:
        """What the env's stamp keeps, so a re-run plans the same without asking the network again."""
        return {
            "index": self.index,
            "source": self.source,
            "pages": {p: dict(files) for p, files in self.pages.items()},
            "offline": self.offline,
        }

    @staticmethod
    def from_dict(record: object) -> TorchSources | None:
        """The stamp's record back; anything malformed is None (the re-run then plans without PyPI's build)."""
        if not isinstance(record, dict) or not isinstance(record.get("pages"), dict):
            return None
        pages: dict[str, dict[str, int | None]] = {}
        for project, files in record["pages"].items():
            if not isinstance(files, dict):
                return None
            pages[str(project)] = {str(n): s if isinstance(s, int) else None for n, s in files.items()}
        offline = record.get("offline") is True
        return TorchSources(str(record.get("index", "")), str(record.get("source", "")), pages, offline=offline)


def probe_torch_sources(
    default_index: str,
    source: str,
    projects: list[str],
    others: list[str],
    find_links: list[str],
    *,
    cafile: str | None = None,
    proxy: str | None = None,
) -> TorchSources:
    """`others`: the extra indexes (their project pages are read too); `find_links`: folders or pages."""
    from concurrent.futures import ThreadPoolExecutor

    from packaging.utils import canonicalize_name

    names = [canonicalize_name(p) for p in projects]
    asks = [(default_index, n) for n in names] + [(o, n) for o in others for n in names]
    with ThreadPoolExecutor(max_workers=max(1, min(8, len(asks)))) as pool:
        statuses = list(pool.map(lambda a: project_page(a[0], a[1], cafile=cafile, proxy=proxy), asks))
    pages: dict[str, dict[str, int | None]] = {}
    for (_index, name), status in zip(asks[: len(names)], statuses[: len(names)], strict=True):
        if status.reachable and status.files is not None:
            sizes = dict(status.sizes)
            pages[name] = {f: sizes.get(f) for f in status.files}
    elsewhere = [f for s in statuses[len(names) :] if s.reachable for f in s.files or ()]
    elsewhere += [f for s in check_all([(f, "find-links") for f in find_links], cafile=cafile, proxy=proxy)
                  for f in s.files or ()]  # fmt: skip
    return TorchSources(default_index, source, pages, tuple(elsewhere))


def local_torch_sources(projects: list[str], find_links: list[str]) -> TorchSources | None:
    """Offline (a bundle's wheel folder, --offline): the first local find-links folder holding a per-variant
    project's wheels stands as the default index. Listing a folder needs no network."""
    import os
    from urllib.parse import urlsplit

    from packaging.utils import canonicalize_name

    from llmenv.probe.index import ARCHIVE

    names = [canonicalize_name(p) for p in projects]
    for link in find_links:
        parts = urlsplit(link)
        folder = Path(parts.path if parts.scheme == "file" else link)
        if parts.scheme not in ("", "file") or not folder.is_dir():
            continue
        try:
            files = [n for n in os.listdir(folder) if ARCHIVE.search(n)]
        except OSError:
            continue
        pages: dict[str, Mapping[str, int | None]] = {
            name: {f: (folder / f).stat().st_size for f in files if canonicalize_name(f.split("-")[0]) == name}
            for name in names
        }
        if any(pages.values()):
            return TorchSources(str(folder), f"the find-links folder {folder}", pages, offline=True)
    return None


__all__ = ["TorchSources", "local_torch_sources", "probe_torch_sources"]
