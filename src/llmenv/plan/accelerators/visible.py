"""Which NVIDIA GPUs a CUDA program will see: CUDA_VISIBLE_DEVICES as the CUDA runtime reads it.

Entries are indexes, GPU UUIDs (`GPU-…`, a unique prefix is enough) or MIG device ids (`MIG-<uuid>`, or the older
`MIG-GPU-<uuid>/<gi>/<ci>`); the runtime stops at the first entry it cannot match, and "" or "-1" hide every GPU
(CUDA C Programming Guide, "CUDA Environment Variables"; NVIDIA MIG User Guide, "CUDA Device Enumeration").
A UUID or MIG id is matched only against the UUIDs the probe reported; when it reported none, the entry matches no
GPU, as CUDA treats an unmatched entry.
Indexes are CUDA's, which follow nvidia-smi's only with CUDA_DEVICE_ORDER=PCI_BUS_ID (the default is fastest first).
"""

from __future__ import annotations

from llmenv.probe.gpu_nvidia import NvidiaGpu, NvidiaInfo


def gpu_label(gpu: NvidiaGpu) -> str:
    cc = f" (sm_{gpu.compute_capability.replace('.', '')})" if gpu.compute_capability else ""
    return f"#{gpu.index} {gpu.name}{cc}"


def selector(gpus: tuple[NvidiaGpu, ...] | list[NvidiaGpu], info: NvidiaInfo) -> str:
    """A CUDA_VISIBLE_DEVICES value naming these GPUs: UUIDs when known (stable), else PCI-ordered indexes."""
    if all(g.uuid for g in gpus):
        return "CUDA_VISIBLE_DEVICES=" + ",".join(g.uuid or "" for g in gpus)
    value = "CUDA_VISIBLE_DEVICES=" + ",".join(str(g.index) for g in gpus)
    return value if info.cuda_device_order == "PCI_BUS_ID" else f"CUDA_DEVICE_ORDER=PCI_BUS_ID {value}"


def visible_gpus(info: NvidiaInfo) -> tuple[tuple[NvidiaGpu, ...], tuple[str, ...]]:
    """(the GPUs CUDA programs will see, notes on entries that could not be matched or read)."""
    spec = info.cuda_visible_devices
    if spec is None or not info.gpus:
        return info.gpus, ()
    chosen: list[NvidiaGpu] = []
    notes: list[str] = []
    used_index = False
    for raw in spec.split(","):
        token = raw.strip()
        gpu, problem = _match(token, info.gpus)
        if problem == "unknown":
            # CUDA matches UUIDs and MIG ids only against the real ones; the probe listed none (the LLMENV_GPU_CC
            # stand-ins have none), so no GPU here is known to match: read as CUDA reads an unmatched entry.
            problem = (
                f"{token!r} matches no GPU llmenv knows of (the probe reported no GPU UUIDs or MIG devices; the "
                "LLMENV_GPU_CC stand-ins have none: select them by index)"
            )
        if gpu is None:
            if chosen or token not in ("", "-1"):
                notes.append(f"CUDA_VISIBLE_DEVICES={spec!r}: {problem}; CUDA ignores it and every entry after it")
            break
        used_index = used_index or token.isdigit()
        if gpu not in chosen:
            chosen.append(gpu)
    kinds = {(g.name, g.compute_capability) for g in info.gpus}
    if used_index and len(kinds) > 1 and info.cuda_device_order != "PCI_BUS_ID":
        notes.append(
            "CUDA_VISIBLE_DEVICES uses indexes, which CUDA numbers fastest first unless CUDA_DEVICE_ORDER=PCI_BUS_ID; "
            "they were read as nvidia-smi's: set CUDA_DEVICE_ORDER=PCI_BUS_ID or use GPU UUIDs (`nvidia-smi -L`)"
        )
    return tuple(chosen), tuple(notes)


def _match(token: str, gpus: tuple[NvidiaGpu, ...]) -> tuple[NvidiaGpu | None, str]:
    if token.isdigit():
        found = [g for g in gpus if g.index == int(token)]
        return (found[0], "") if found else (None, f"there is no GPU {token}")
    lowered = token.lower()
    if lowered.startswith("mig-gpu-"):
        return _by_uuid(token[4:].split("/")[0], gpus)
    if lowered.startswith("gpu-"):
        return _by_uuid(token, gpus)
    if lowered.startswith("mig-"):
        if not any(g.mig for g in gpus):
            return None, "unknown"
        found = [g for g in gpus if any(m.lower().startswith(lowered) for m in g.mig)]
        return (found[0], "") if len(found) == 1 else (None, f"no MIG device {token}")
    return None, f"{token!r} is not a GPU index, UUID or MIG id"


def _by_uuid(prefix: str, gpus: tuple[NvidiaGpu, ...]) -> tuple[NvidiaGpu | None, str]:
    if not any(g.uuid for g in gpus):
        return None, "unknown"
    found = [g for g in gpus if g.uuid and g.uuid.lower().startswith(prefix.lower())]
    if len(found) == 1:
        return found[0], ""
    return None, (f"{prefix} matches several GPUs" if found else f"no GPU has UUID {prefix}")


__all__ = ["gpu_label", "selector", "visible_gpus"]
