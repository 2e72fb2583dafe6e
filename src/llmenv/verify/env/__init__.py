"""Everything llmenv does inside an existing environment: `plumbing` reaches into it, `checks` and `gpu` judge it."""

from __future__ import annotations

from llmenv.verify.env.checks import check_dependencies, check_versions, verify_env
from llmenv.verify.env.gpu import tf_gpu_finding, torch_gpu_finding
from llmenv.verify.env.plumbing import (
    ImportResult,
    check_import,
    env_python,
    inspect,
    payload,
    warm_bytecode,
)

__all__ = [
    "ImportResult",
    "check_dependencies",
    "check_import",
    "check_versions",
    "env_python",
    "inspect",
    "payload",
    "tf_gpu_finding",
    "torch_gpu_finding",
    "verify_env",
    "warm_bytecode",
]
