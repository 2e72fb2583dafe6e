"""Shared by the smoke payloads: reading the prepared data, the word vocabulary, padding, progress events.

Standard library and NumPy only (every smoke profile installs NumPy). Events go to stdout as single lines
prefixed with EVENT, so framework log noise around them does not matter."""

import gzip
import json
import os
import re
import sys
import time
from collections import Counter

EVENT = "LLMENV-EVENT "
_WORD = re.compile(r"[a-z0-9']+")


def emit(kind, **fields):
    fields["event"] = kind
    sys.stdout.write(EVENT + json.dumps(fields) + "\n")
    sys.stdout.flush()


def load_texts(path):
    """(train_texts, train_labels, test_texts, test_labels, header) from the prepared file."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        header = json.loads(handle.readline())
        body = json.loads(handle.readline())
    train, test = body["train"], body["test"]
    return [t for t, _ in train], [y for _, y in train], [t for t, _ in test], [y for _, y in test], header


def load_npz(path):
    """Keras imdb.npz: token ids (ids are frequency ranks) as word strings, so every pipeline can use them."""
    import numpy as np

    with np.load(path, allow_pickle=True) as data:
        parts = [data["x_train"], data["y_train"], data["x_test"], data["y_test"]]
    as_text = (
        [" ".join("w%d" % i for i in seq) for seq in parts[0]],
        [" ".join("w%d" % i for i in seq) for seq in parts[2]],
    )
    header = {"source": path, "synthetic": False, "train_size": len(parts[1]), "test_size": len(parts[3])}
    return as_text[0], [int(y) for y in parts[1]], as_text[1], [int(y) for y in parts[3]], header


def load(path, kind):
    return load_npz(path) if kind == "npz" else load_texts(path)


def words(text):
    return _WORD.findall(text.lower().replace("<br />", " "))


def build_vocab(texts, size):
    """Index 0 pads, 1 is out-of-vocabulary; the `size - 2` most frequent training words get 2.."""
    counts = Counter()
    for text in texts:
        counts.update(words(text))
    return {w: i + 2 for i, (w, _) in enumerate(counts.most_common(size - 2))}


def encode(texts, vocab, maxlen):
    """Pre-padded, pre-truncated id matrix: the end of a review (its verdict) is kept, as in the classic tutorial."""
    import numpy as np

    out = np.zeros((len(texts), maxlen), dtype="int64")
    for row, text in enumerate(texts):
        ids = [vocab.get(w, 1) for w in words(text)][-maxlen:]
        if ids:
            out[row, -len(ids) :] = ids
    return out


def threads():
    count = os.cpu_count() or 1
    return max(1, count)


class Clock:
    def __init__(self):
        self.start = time.perf_counter()

    def seconds(self):
        return time.perf_counter() - self.start


def arguments(description, **defaults):
    """The options every payload takes; `defaults` sets each model's own (epochs, maxlen, vocab, batch)."""
    import argparse

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--data", required=True)
    parser.add_argument("--kind", default="texts")
    parser.add_argument("--epochs", type=int, default=defaults.get("epochs", 2))
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--maxlen", type=int, default=defaults.get("maxlen", 200))
    parser.add_argument("--vocab", type=int, default=defaults.get("vocab", 10000))
    parser.add_argument("--batch", type=int, default=defaults.get("batch", 32))
    return parser


def epoch_done(epoch, epochs, loss, accuracy, samples, seconds):
    emit(
        "epoch",
        epoch=epoch,
        epochs=epochs,
        loss=round(loss, 4),
        accuracy=round(accuracy, 4),
        seconds=round(seconds, 2),
        samples_per_s=round(samples / seconds, 1),
    )


def result(framework, accuracy, losses, device, train_s, samples, epochs, clock, test, header, **extra):
    emit(
        "result",
        framework=framework,
        accuracy=round(accuracy, 4),
        loss_curve=[round(v, 4) for v in losses],
        device=device,
        train_s=round(train_s, 2),
        samples_per_s=round(samples * epochs / train_s, 1),
        wall_s=round(clock.seconds(), 2),
        train=samples,
        test=test,
        source=header.get("source"),
        synthetic=bool(header.get("synthetic")),
        **extra,
    )


def torch_setup(seed):
    """Seed every generator, use every core, and pick the best device: shared by the torch-based payloads."""
    import random

    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads())
    if torch.cuda.is_available():
        return "cuda"
    return "mps" if torch.backends.mps.is_available() else "cpu"
