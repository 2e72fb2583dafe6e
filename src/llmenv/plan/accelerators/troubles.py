"""What the CUDA choice says about GPUs it cannot simply build for: a lost GPU, one whose architecture is unknown, a
retired architecture (Kepler), a WSL driver. Texts only; the facts are in `llmenv.tables.gpus`."""

from __future__ import annotations

from llmenv.plan.accelerators.visible import gpu_label
from llmenv.probe.gpu_nvidia import NvidiaGpu, NvidiaInfo
from llmenv.tables.gpus import LAST_TORCH_FOR_CC, retired

ARCH_UNKNOWN = "GPU ARCHITECTURE UNKNOWN"
LOST = "GPU LOST"
LOST_FIX = (
    "reset the lost GPU when nothing runs on it (`sudo nvidia-smi --gpu-reset -i BUS`) or reboot; if it falls off "
    "the bus again (`sudo dmesg | grep -i xid`: Xid 79), reseat the card and its power cables and check cooling and "
    "the power supply. The driver is fine: no reinstall is needed"
)
WSL_DRIVER = "on Windows (under WSL the Windows driver serves the GPU; install no Linux driver inside WSL)"


def lost_warning(info: NvidiaInfo) -> str:
    gpus = "; ".join(info.lost)
    return (
        f"{LOST}: nvidia-smi could not reach {gpus}; the plan is for the {len(info.gpus)} GPU(s) it listed, which "
        f"work. For the lost one: {LOST_FIX}"
    )


def retired_fix(gpu: NvidiaGpu, version: str, info: NvidiaInfo) -> str:
    """A GPU whose architecture NVIDIA retired (Kepler): no driver upgrade exists, so name what does serve it."""
    cc = gpu.compute_capability or "0"
    family, branch, cuda = retired(cc) or ("", "", "")
    sm = f"sm_{cc.replace('.', '')}"
    older = LAST_TORCH_FOR_CC.get(cc)
    route = (
        f"torch=={older.torch} from https://download.pytorch.org/whl/{older.variant} (its {older.variant} build has "
        f"{sm} kernels and runs on driver {info.driver} through CUDA 11 minor-version compatibility; Python "
        f"{older.python}) in a profile of your own, or the CPU build (`--accelerator cpu`)"
        if older
        else "the CPU build (`--accelerator cpu`): no PyTorch CUDA build llmenv knows carries it"
    )
    return (
        f"{gpu_label(gpu)} is a {family} GPU ({sm}): no current torch build (torch {version} included) has kernels "
        f"for it, and no driver upgrade helps ({branch} is the last driver branch for {family}, CUDA {cuda} at "
        f"most). What serves it: {route}"
    )


__all__ = ["ARCH_UNKNOWN", "LOST", "LOST_FIX", "WSL_DRIVER", "lost_warning", "retired_fix"]
