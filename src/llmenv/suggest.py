""" "Did you mean" for names the user types: profiles, frameworks, accelerators, formats, shells, finding ids."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def closest(word: str, choices: Iterable[str]) -> str | None:
    options = list(choices)
    lowered = {choice.lower(): choice for choice in options}
    match = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A fix line: the closest valid name first (`torhc` -> torch), then every valid one."""
    options = list(choices)
    guess = closest(word, options)
    listed = ", ".join(options)
    return f"did you mean '{guess}'? (valid: {listed})" if guess else f"use one of: {listed}"


__all__ = ["closest", "did_you_mean"]
