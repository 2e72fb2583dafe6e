"""The offline fallback: a small, clearly labelled synthetic sentiment set.

It only proves the stack trains (imports, tensors, gradients, an optimizer step): template reviews whose sentiment
words decide the label. It is kept small so the run takes seconds; its accuracy says nothing about IMDB and no
report treats it as an IMDB figure.
"""

from __future__ import annotations

import random
from collections.abc import Callable

TRAIN = 384
TEST = 128

_POSITIVE = [
    "wonderful",
    "superb",
    "moving",
    "brilliant",
    "delightful",
    "touching",
    "masterful",
    "charming",
    "gripping",
    "excellent",
]
_NEGATIVE = [
    "dreadful",
    "boring",
    "clumsy",
    "tedious",
    "awful",
    "pointless",
    "lifeless",
    "dull",
    "incoherent",
    "terrible",
]
_NEUTRAL = [
    "the",
    "film",
    "plot",
    "actor",
    "scene",
    "director",
    "story",
    "camera",
    "music",
    "ending",
    "cast",
    "script",
    "minutes",
    "character",
]


def reviews(seed: int) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(train, test) rows of short template reviews, deterministic for a seed."""
    rng = random.Random(seed)

    def review(label: int) -> str:
        words = [rng.choice(_NEUTRAL) for _ in range(rng.randint(20, 50))]
        cue = _POSITIVE if label else _NEGATIVE
        noise = _NEGATIVE if label else _POSITIVE
        for _ in range(rng.randint(3, 6)):
            words.insert(rng.randrange(len(words)), rng.choice(cue))
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words)), rng.choice(noise))
        return " ".join(words)

    make: Callable[[int], list[tuple[str, int]]] = lambda n: [(review(i % 2), i % 2) for i in range(n)]  # noqa: E731
    return make(TRAIN), make(TEST)


def source_label(reason: str) -> str:
    return f"SYNTHETIC sentiment set ({reason}): not an IMDB accuracy"


__all__ = ["TEST", "TRAIN", "reviews", "source_label"]
