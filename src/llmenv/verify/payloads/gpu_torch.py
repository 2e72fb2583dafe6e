"""What PyTorch sees: build variant, devices, and whether one real op runs on each accelerator."""

from __future__ import annotations

import json
import sys


def main():
    import torch

    out = {
        "version": torch.__version__,
        "cuda_build": torch.version.cuda,
        "hip_build": getattr(torch.version, "hip", None),
        "cuda_available": bool(torch.cuda.is_available()),
        "device_count": 0,
        "devices": [],
        "arch_list": [],
        "mps_available": bool(getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()),
        "op_device": None,
        "op_ok": None,
        "op_error": None,
    }
    device = None
    if out["cuda_available"]:
        out["device_count"] = torch.cuda.device_count()
        out["arch_list"] = list(torch.cuda.get_arch_list())
        for index in range(out["device_count"]):
            major, minor = torch.cuda.get_device_capability(index)
            out["devices"].append({"name": torch.cuda.get_device_name(index), "capability": "%d.%d" % (major, minor)})
        device = "cuda"
    elif out["mps_available"]:
        device = "mps"
    if device:
        out["op_device"] = device
        try:
            a = torch.randn(256, 256, device=device)
            value = float((a @ a).sum().item())
            conv = torch.nn.functional.conv2d(
                torch.randn(1, 3, 16, 16, device=device), torch.randn(4, 3, 3, 3, device=device)
            )
            out["op_ok"] = value == value and conv.shape[1] == 4
        except Exception as exc:
            out["op_ok"] = False
            out["op_error"] = "%s: %s" % (type(exc).__name__, exc)
    sys.stdout.write(json.dumps(out))


main()
