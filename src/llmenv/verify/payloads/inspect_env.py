"""Installed distributions and PEP 508 marker values of this interpreter, as JSON (standard library only)."""

from __future__ import annotations

import json
import os
import platform
import sys

try:
    from importlib import metadata
except ImportError:  # pragma: no cover - Python < 3.8
    metadata = None


def main():
    dists = {}
    if metadata is not None:
        for dist in metadata.distributions():
            name = dist.metadata["Name"]
            if name:
                dists.setdefault(name, dist.version)
    info = sys.implementation
    impl_version = "%d.%d.%d" % tuple(info.version[:3])
    markers = {
        "implementation_name": info.name,
        "implementation_version": impl_version,
        "os_name": os.name,
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_system": platform.system(),
        "platform_version": platform.version(),
        "python_full_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "sys_platform": sys.platform,
    }
    out = {
        "executable": sys.executable,
        "prefix": sys.prefix,
        "base_prefix": getattr(sys, "base_prefix", sys.prefix),
        "version": platform.python_version(),
        "bits": 64 if sys.maxsize > 2**32 else 32,
        "markers": markers,
        "distributions": dists,
    }
    sys.stdout.write(json.dumps(out))


main()
