"""What TensorFlow sees: CUDA build info, GPUs, and whether one real op runs on the first GPU."""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main():
    import tensorflow as tf

    info = tf.sysconfig.get_build_info()
    gpus = tf.config.list_physical_devices("GPU")
    out = {
        "version": tf.__version__,
        "cuda_build": bool(info.get("is_cuda_build")),
        "cuda_version": info.get("cuda_version"),
        "cudnn_version": info.get("cudnn_version"),
        "gpus": [g.name for g in gpus],
        "op_ok": None,
        "op_error": None,
    }
    if gpus:
        try:
            with tf.device("/GPU:0"):
                value = float(tf.reduce_sum(tf.random.normal([512, 512])).numpy())
            out["op_ok"] = value == value
        except Exception as exc:
            out["op_ok"] = False
            out["op_error"] = "%s: %s" % (type(exc).__name__, exc)
    sys.stdout.write(json.dumps(out))


main()
