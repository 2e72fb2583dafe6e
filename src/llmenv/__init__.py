"""llmenv: from a bare machine to a pinned, verified, smoke-tested deep-learning environment."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
