"""`python -m llmenv` runs the same entry point as the `llmenv` console script."""

from __future__ import annotations

from llmenv.cli import run

if __name__ == "__main__":
    run()
