"""IMDB smoke test in Keras/TensorFlow: Embedding -> Conv1D -> MaxPooling1D -> LSTM -> Dense sigmoid, binary
cross-entropy, Adam (the classic Keras IMDB CNN-LSTM example). `--model tutorial` is the tutorial's own run:
Embedding(10000, 64) over length-100 sequences, Conv1D(128, 5, relu), MaxPooling1D(4), LSTM(32), Dense(1, sigmoid),
Adam, batch 32, 10 epochs, with Keras's own imdb.load_data encoding when the data is imdb.npz."""

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smoke_common as common

TUTORIAL_ACCURACY = 0.7947  # the test accuracy the tutorial reports for this model


def keras_imdb(path, num_words, maxlen):
    """keras.datasets.imdb.load_data(num_words=...) then pad_sequences(maxlen=...), from the same imdb.npz:
    start char 1, out-of-vocabulary 2, word ranks offset by 3, shuffled with seed 113, padded and cut at the front."""
    import numpy as np

    with np.load(path, allow_pickle=True) as data:
        splits = [(data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])]
    out = []
    rng = np.random.RandomState(113)  # one generator for both splits, in this order, as Keras does
    for xs, ys in splits:
        order = np.arange(len(xs))
        rng.shuffle(order)
        xs, ys = xs[order], ys[order]
        matrix = np.zeros((len(xs), maxlen), dtype="int64")
        for row, seq in enumerate(xs):
            ids = [1] + [w + 3 if w + 3 < num_words else 2 for w in seq]
            ids = ids[-maxlen:]
            matrix[row, -len(ids) :] = ids
        out += [matrix, np.asarray(ys, dtype="float32")]
    header = {"source": path, "synthetic": False, "train_size": len(out[1]), "test_size": len(out[3])}
    return out[0], out[1], out[2], out[3], header


def describe(layer):
    """A layer as the tutorial writes it, e.g. Conv1D(128, 5, relu): the report shows what really trained."""
    config, name = layer.get_config(), type(layer).__name__
    first = lambda v: v[0] if isinstance(v, (list, tuple)) else v  # noqa: E731
    if name == "Embedding":
        return "Embedding(%d, %d)" % (config["input_dim"], config["output_dim"])
    if name == "Conv1D":
        return "Conv1D(%d, %d, %s)" % (config["filters"], first(config["kernel_size"]), config["activation"])
    if name == "MaxPooling1D":
        return "MaxPooling1D(%d)" % first(config["pool_size"])
    if name == "LSTM":
        return "LSTM(%d)" % config["units"]
    if name == "Dense":
        return "Dense(%d, %s)" % (config["units"], config["activation"])
    return name


def build(keras, args):
    if args.model == "tutorial":
        return keras.Sequential(
            [
                keras.Input(shape=(args.maxlen,), dtype="int64"),
                keras.layers.Embedding(args.vocab, 64),
                keras.layers.Conv1D(128, 5, activation="relu"),
                keras.layers.MaxPooling1D(4),
                keras.layers.LSTM(32),
                keras.layers.Dense(1, activation="sigmoid"),
            ]
        ), keras.optimizers.Adam()
    return keras.Sequential(
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
    ), keras.optimizers.Adam(1e-3)


def main():
    parser = common.arguments(__doc__, epochs=2)
    parser.add_argument("--model", default=None, choices=[None, "tutorial"])
    args = parser.parse_args()
    if args.model == "tutorial":
        # The tutorial's protocol is fixed: only the epochs may be overridden (and the synthetic cap, via --maxlen).
        args.vocab, args.batch = 10000, 32
        if "--maxlen" not in sys.argv:
            args.maxlen = 100
    clock = common.Clock()

    import keras
    import numpy as np
    import tensorflow as tf

    keras.utils.set_random_seed(args.seed)
    common.open_board(args.tensorboard, "tf")
    gpus = tf.config.list_physical_devices("GPU")
    device = "gpu:0 (%s)" % gpus[0].name if gpus else "cpu"
    import_s = clock.seconds()

    if args.model == "tutorial" and args.kind == "npz":
        xtr, ytr, xte, yte, header = keras_imdb(args.data, args.vocab, args.maxlen)
    else:
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

    model, optimizer = build(keras, args)
    model.compile(loss="binary_crossentropy", optimizer=optimizer, metrics=["accuracy"])
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
    extra = {}
    if args.model == "tutorial":
        extra = {
            "model": "tutorial",
            "reference_accuracy": TUTORIAL_ACCURACY,
            "architecture": [describe(layer) for layer in model.layers],
            "optimizer": type(optimizer).__name__,
            "loss": "binary_crossentropy",
            "maxlen": args.maxlen,
            "vocab": args.vocab,
            "batch": args.batch,
        }
    common.result(
        "keras", float(accuracy), losses, device, train_s, len(ytr), args.epochs, clock, len(yte), header, **extra
    )


main()
