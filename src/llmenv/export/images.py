"""Base images per accelerator and variant.

CUDA runtime images from NVIDIA's registry tags (nvidia/cuda:<version>-runtime-ubuntu24.04); the pip wheels bring
their own CUDA libraries, so the image's CUDA only has to match the variant's family and the host provides the
driver through the NVIDIA container toolkit. CPU images are the official python:<minor>-slim-bookworm."""

from __future__ import annotations

from llmenv.plan.model import Plan

CUDA_IMAGES = {
    "cu126": "nvidia/cuda:12.6.3-runtime-ubuntu24.04",
    "cu128": "nvidia/cuda:12.8.1-runtime-ubuntu24.04",
    "cu130": "nvidia/cuda:13.0.1-runtime-ubuntu24.04",
}
# TensorFlow 2.21 is built against CUDA 12.5; its [and-cuda] extra installs the CUDA 12 libraries as wheels.
DEFAULT_CUDA_IMAGE = "nvidia/cuda:12.6.3-runtime-ubuntu24.04"


def base_image(plan: Plan) -> tuple[str, bool]:
    """(image, needs_python): CUDA and ROCm images come without Python, the slim Python images with it."""
    if plan.accelerator.value == "cuda":
        variant = plan.variant.value if plan.variant else ""
        return CUDA_IMAGES.get(variant, DEFAULT_CUDA_IMAGE), True
    if plan.accelerator.value == "rocm":
        return "ubuntu:24.04", True  # ROCm wheels bundle the runtime; the host passes /dev/kfd and /dev/dri
    minor = ".".join(plan.python_version.split(".")[:2])
    return f"python:{minor}-slim-bookworm", False


def image_python(plan: Plan) -> str:
    """The Python minor the image runs: the slim image's own, or Ubuntu 24.04's python3 (3.12) under CUDA/ROCm."""
    _, needs_python = base_image(plan)
    return "3.12" if needs_python else ".".join(plan.python_version.split(".")[:2])


__all__ = ["CUDA_IMAGES", "base_image", "image_python"]
