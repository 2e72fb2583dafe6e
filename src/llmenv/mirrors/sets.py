"""Built-in mirror sets for mainland China, every URL as its operator (or a named project) publishes it.

Sources and the date each was checked are in docs/mirrors.md (collected in ../shared/reference/mirrors.md):
TUNA mirror help and MirrorZ help (TUNA, CERNET PyPI); ustclug/mirrorhelp docs/pypi.md (USTC PyPI); the chsrc
project's recipe src/recipe/lang/Python/common.h (Aliyun, Tencent, Huawei PyPI) and its PR #371 (SJTUG PyPI);
unslothai/unsloth PR #5024 (NJU's PEP 503 PyTorch index); third-party usage of Aliyun's flat pytorch-wheels pages
(no vendor page found); hf-mirror.com's own instructions (HF_ENDPOINT); USTC github-release help
(python-build-standalone). TUNA declined to mirror PyTorch wheels (tuna/issues#1050), so no TUNA pytorch role.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

ROLES: Final[tuple[str, ...]] = ("pypi", "pytorch", "huggingface", "python", "imdb")
CHECKED: Final = "2026-11-29"


@dataclass(frozen=True)
class MirrorSet:
    """A named set of sources, one URL per role it names; roles it leaves out stay upstream."""

    name: str
    urls: dict[str, str] = field(default_factory=dict)  # role -> URL ({variant} allowed in pytorch)
    pytorch_format: str = "index"  # index (PEP 503) | flat (a find-links page of wheel links)
    description: str = ""
    origin: str = "builtin"  # builtin | the mirrors.yaml path it came from

    def url(self, role: str, variant: str | None = None) -> str | None:
        url = self.urls.get(role)
        if url is None:
            return None
        return url.replace("{variant}", variant) if variant else url


# What llmenv and its tools reach when no mirror is set (uv's python downloads come from GitHub releases).
UPSTREAM: Final = MirrorSet(
    "upstream",
    {
        "pypi": "https://pypi.org/simple",
        "pytorch": "https://download.pytorch.org/whl/{variant}",
        "huggingface": "https://huggingface.co",
        "python": "https://github.com/astral-sh/python-build-standalone/releases/download",
        "imdb": "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz",
    },
    description="the projects' own hosts",
)

TUNA_PYPI = "https://pypi.tuna.tsinghua.edu.cn/simple"
NJU_PYTORCH = "https://mirror.nju.edu.cn/pytorch/whl/{variant}"
HF_MIRROR = "https://hf-mirror.com"
USTC_PYTHON = "https://mirrors.ustc.edu.cn/github-release/astral-sh/python-build-standalone"

BUILTIN: Final[tuple[MirrorSet, ...]] = (
    MirrorSet(
        "china",
        {"pypi": TUNA_PYPI, "pytorch": NJU_PYTORCH, "huggingface": HF_MIRROR, "python": USTC_PYTHON},
        description="TUNA PyPI, NJU PyTorch wheels, hf-mirror, USTC python-build-standalone",
    ),
    MirrorSet("tuna", {"pypi": TUNA_PYPI}, description="Tsinghua University TUNA"),
    MirrorSet(
        "ustc",
        {"pypi": "https://mirrors.ustc.edu.cn/pypi/simple", "python": USTC_PYTHON},
        description="USTC (PyPI metadata from TUNA; python-build-standalone: latest release only)",
    ),
    MirrorSet(
        "aliyun",
        {
            "pypi": "https://mirrors.aliyun.com/pypi/simple/",
            "pytorch": "https://mirrors.aliyun.com/pytorch-wheels/{variant}/",
        },
        pytorch_format="flat",
        description="Alibaba Cloud (PyTorch wheels as flat find-links pages)",
    ),
    MirrorSet("tencent", {"pypi": "https://mirrors.cloud.tencent.com/pypi/simple"}, description="Tencent Cloud"),
    MirrorSet("huawei", {"pypi": "https://mirrors.huaweicloud.com/repository/pypi/simple"}, description="Huawei Cloud"),
    MirrorSet("cernet", {"pypi": "https://mirrors.cernet.edu.cn/pypi/web/simple"}, description="CERNET (MirrorZ)"),
    MirrorSet("sjtu", {"pypi": "https://mirror.sjtu.edu.cn/pypi/web/simple"}, description="SJTUG"),
    MirrorSet("nju", {"pytorch": NJU_PYTORCH}, description="Nanjing University (PEP 503 copy of PyTorch's index)"),
    MirrorSet("hf-mirror", {"huggingface": HF_MIRROR}, description="hf-mirror.com (Hugging Face Hub)"),
)

RESERVED: Final[tuple[str, ...]] = ("auto", "upstream", "none")

__all__ = ["BUILTIN", "CHECKED", "RESERVED", "ROLES", "UPSTREAM", "MirrorSet"]
