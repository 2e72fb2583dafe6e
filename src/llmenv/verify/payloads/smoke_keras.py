"""IMDB smoke test in Keras/TensorFlow: Embedding -> Conv1D -> MaxPooling1D -> LSTM -> Dense sigmoid, binary
cross-entropy, Adam (the classic Keras IMDB CNN-LSTM example)."""

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smoke_common as common


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True)
    parser.add_argument("--kind", default="texts")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--maxlen", type=int, default=200)
    parser.add_argument("--vocab", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args()
    clock = common.Clock()

    import keras
    import numpy as np
    import tensorflow as tf

    keras.utils.set_random_seed(args.seed)
    gpus = tf.config.list_physical_devices("GPU")
    device = "gpu:0 (%s)" % gpus[0].name if gpus else "cpu"
    import_s = clock.seconds()

    train_x, train_y, test_x, test_y, header = common.load(args.data, args.kind)
    vocab = common.build_vocab(train_x, args.vocab)
    xtr, ytr = common.encode(train_x, vocab, args.maxlen), np.array(train_y, dtype="float32")
    xte, yte = common.encode(test_x, vocab, args.maxlen), np.array(test_y, dtype="float32")
    common.emit(
        "start",
        framework="keras",
        version="keras %s / tensorflow %s" % (keras.__version__, tf.__version__),
        device=device,
        train=len(ytr),
        test=len(yte),
        epochs=args.epochs,
        import_s=round(import_s, 2),
    )

    model = keras.Sequential(
        [
            keras.Input(shape=(args.maxlen,), dtype="int64"),
            keras.layers.Embedding(args.vocab, 64),
            keras.layers.Dropout(0.25),
            keras.layers.Conv1D(64, 5, activation="relu"),
            keras.layers.MaxPooling1D(4),
            keras.layers.LSTM(70),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(loss="binary_crossentropy", optimizer=keras.optimizers.Adam(1e-3), metrics=["accuracy"])
    steps = (len(ytr) + args.batch - 1) // args.batch

    class Events(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.started = time.perf_counter()
            self.current = epoch + 1

        def on_train_batch_end(self, batch, logs=None):
            if batch % 20 == 0:
                common.emit("step", epoch=self.current, step=batch + 1, steps=steps)

        def on_epoch_end(self, epoch, logs=None):
            seconds = time.perf_counter() - self.started
            common.emit(
                "epoch",
                epoch=epoch + 1,
                epochs=args.epochs,
                loss=round(float(logs["loss"]), 4),
                accuracy=round(float(logs.get("accuracy", 0.0)), 4),
                seconds=round(seconds, 2),
                samples_per_s=round(len(ytr) / seconds, 1),
            )

    train_start = time.perf_counter()
    history = model.fit(xtr, ytr, batch_size=args.batch, epochs=args.epochs, verbose=0, callbacks=[Events()])
    train_s = time.perf_counter() - train_start
    _, accuracy = model.evaluate(xte, yte, batch_size=256, verbose=0)
    common.emit(
        "result",
        framework="keras",
        accuracy=round(float(accuracy), 4),
        loss_curve=[round(float(v), 4) for v in history.history["loss"]],
        device=device,
        train_s=round(train_s, 2),
        samples_per_s=round(len(ytr) * args.epochs / train_s, 1),
        wall_s=round(clock.seconds(), 2),
        train=len(ytr),
        test=len(yte),
        source=header.get("source"),
        synthetic=bool(header.get("synthetic")),
    )


main()
