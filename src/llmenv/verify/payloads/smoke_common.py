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
    parser.add_argument("--tensorboard", default=None, help="write loss and accuracy per epoch here")
    return parser


def epoch_done(epoch, epochs, loss, accuracy, samples, seconds, phase=None):
    """One epoch's event, and its loss and train accuracy on the TensorBoard (under the phase's name, if any)."""
    prefix = phase.split(" ")[0].lower() if phase else "train"
    BOARD[0].scalar(prefix + "/loss", loss, epoch)
    if accuracy is not None:  # None: a stage without one (pre-training)
        BOARD[0].scalar(prefix + "/accuracy", accuracy, epoch)
    emit(
        "epoch",
        epoch=epoch,
        epochs=epochs,
        loss=round(loss, 4),
        accuracy=None if accuracy is None else round(accuracy, 4),
        seconds=round(seconds, 2),
        samples_per_s=round(samples / max(seconds, 1e-9), 1),
        **({"phase": phase} if phase else {}),
    )


def result(framework, accuracy, losses, device, train_s, samples, epochs, clock, test, header, **extra):
    BOARD[0].scalar("test/accuracy", accuracy, epochs)
    BOARD[0].close()
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


class Board:
    """TensorBoard scalars (loss and accuracy per epoch) when a folder is given: torch's SummaryWriter, or
    TensorFlow's own summary writer for Keras (it writes event files without the tensorboard package).

    Without the tensorboard package a torch run goes on and says so once, as a `notice` event (llmenv shows it)."""

    def __init__(self, folder, backend="torch"):
        self.writer, self.tf = None, None
        if not folder:
            return
        if backend == "tf":
            import tensorflow as tf

            self.tf, self.writer = tf, tf.summary.create_file_writer(folder)
            return
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError as exc:  # torch's module imports the tensorboard package inside
            emit("notice", message="no TensorBoard events written: %s (install tensorboard in this env)" % exc)
            return
        self.writer = SummaryWriter(log_dir=folder)

    def scalar(self, tag, value, step):
        if self.writer is None:
            return
        if self.tf is not None:
            # tf.summary.scalar lives in the tensorboard package, which TensorFlow 2.21 no longer installs; the core
            # writer with the scalars plugin's metadata is what it would have written.
            tf = self.tf
            meta = tf.compat.v1.SummaryMetadata(
                plugin_data=tf.compat.v1.SummaryMetadata.PluginData(plugin_name="scalars")
            )
            with self.writer.as_default():
                tf.summary.write(tag, tf.constant(float(value), dtype=tf.float32), step=int(step), metadata=meta)
        else:
            self.writer.add_scalar(tag, float(value), int(step))

    def close(self):
        if self.writer is not None:
            self.writer.flush()
            self.writer.close()


BOARD = [Board(None)]  # the run's board: epoch_done and result write to it


def open_board(folder, backend="torch"):
    BOARD[0] = Board(folder, backend)
    return BOARD[0]
