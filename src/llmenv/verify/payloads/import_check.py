"""Import one module and report its version and import time as JSON; exit 1 with the error when it fails.

It leaves with os._exit once the answer is written: tearing down a framework at interpreter exit costs more than
half a second for torch (its atexit handlers, thousands of modules), and that is not what this check measures.
Crashes at exit are still caught by the smoke test, which ends normally."""

from __future__ import annotations

import importlib
import json
import os
import re
import sys
import time
import traceback

# A profile may name `from MODULE import NAME` (the tutorial's own check): a pattern, never code that runs.
FROM_IMPORT = re.compile(r"from\s+([A-Za-z_][\w.]*)\s+import\s+([A-Za-z_]\w*)")


def main(name):
    start = time.perf_counter()
    wanted = FROM_IMPORT.fullmatch(name.strip())
    try:
        module = importlib.import_module(wanted.group(1) if wanted else name)
        if wanted:
            getattr(module, wanted.group(2))  # transformers' lazy module imports the class here
    except BaseException as exc:
        lines = traceback.format_exception_only(type(exc), exc)
        sys.stdout.write(
            json.dumps(
                {
                    "module": name,
                    "ok": False,
                    "error": "".join(lines).strip()[-2000:],
                    "seconds": time.perf_counter() - start,
                }
            )
        )
        return 1
    version = getattr(module, "__version__", None)
    sys.stdout.write(
        json.dumps(
            {
                "module": name,
                "ok": True,
                "version": str(version) if version else None,
                "seconds": time.perf_counter() - start,
            }
        )
    )
    return 0


code = main(sys.argv[1])
sys.stdout.flush()
os._exit(code)
