"""Import the given modules so that Python writes their bytecode, then leave without tearing them down.

Run in the background after `llmenv setup --skip-smoke`, with -I so it writes bytecode even where
PYTHONDONTWRITEBYTECODE is set: the env's next `import torch` then reads bytecode (about half the time) although
the import check ran without writing any. A module that fails to import is skipped: the check already said so."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys

for name in sys.argv[1:]:
    with contextlib.suppress(BaseException):  # nobody reads this process's output: nothing to report to
        importlib.import_module(name.split(" import ")[0].replace("from ", "", 1).strip())
os._exit(0)
