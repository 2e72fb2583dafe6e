"""devcontainer.json: builds the exported Dockerfile and, for CUDA, asks for the GPUs."""

from __future__ import annotations

import json

from llmenv.plan.model import Plan


def render(plan: Plan, dockerfile: str = "Dockerfile") -> str:
    config: dict[str, object] = {
        "name": f"llmenv {plan.profile}",
        "build": {"dockerfile": dockerfile, "context": "."},
        "customizations": {
            "vscode": {
                "settings": {"python.defaultInterpreterPath": "/opt/venv/bin/python"},
                "extensions": ["ms-python.python", "redhat.vscode-yaml"],
            }
        },
        "postCreateCommand": "/opt/llmenv/bin/llmenv doctor --env /opt/venv",
    }
    if plan.accelerator.value == "cuda":
        config["runArgs"] = ["--gpus", "all"]
        config["hostRequirements"] = {"gpu": True}
    elif plan.accelerator.value == "rocm":
        config["runArgs"] = ["--device=/dev/kfd", "--device=/dev/dri", "--group-add", "video"]
    return json.dumps(config, indent=2) + "\n"


__all__ = ["render"]
