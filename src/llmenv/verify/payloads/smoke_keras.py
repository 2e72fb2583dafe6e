"""IMDB smoke test in Keras/TensorFlow: Embedding -> Conv1D -> MaxPooling1D -> LSTM -> Dense sigmoid, binary
cross-entropy, Adam (the classic Keras IMDB CNN-LSTM example)."""

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smoke_common as common


def main():
    args = common.arguments(__doc__, epochs=2).parse_args()
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
            common.epoch_done(
                epoch + 1, args.epochs, float(logs["loss"]), float(logs.get("accuracy", 0.0)), len(ytr), seconds
            )

    train_start = time.perf_counter()
    history = model.fit(xtr, ytr, batch_size=args.batch, epochs=args.epochs, verbose=0, callbacks=[Events()])
    train_s = time.perf_counter() - train_start
    _, accuracy = model.evaluate(xte, yte, batch_size=256, verbose=0)
    losses = [float(v) for v in history.history["loss"]]
    common.result("keras", float(accuracy), losses, device, train_s, len(ytr), args.epochs, clock, len(yte), header)


main()
