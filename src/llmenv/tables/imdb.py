"""The IMDB datasets the smoke test reads, with the checksums they are trusted by (a table of facts, so the data
readers and the mirror downloads take them from one place without importing each other)."""

from __future__ import annotations

from typing import Final

IMDB_URL: Final = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
# Published checksum of aclImdb_v1.tar.gz (the same value torchtext, Julia's MLDatasets and others pin).
IMDB_SHA256: Final = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"
# Keras's imdb.npz (keras src/datasets/imdb.py); trusted from a cache or mirror only with this checksum.
KERAS_NPZ_SHA256: Final = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"

__all__ = ["IMDB_SHA256", "IMDB_URL", "KERAS_NPZ_SHA256"]
