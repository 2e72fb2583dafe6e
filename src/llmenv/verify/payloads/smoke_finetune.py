"""IMDB fine-tuning smoke test: the tutorial's pipeline in minutes on a CPU.

1. Pre-train a small BERT-style encoder with masked-language modelling on the train split's review text (labels
   unused) for a fixed number of seconds: short windows, a WordPiece vocabulary trained on the train text, and the
   vocabulary projection computed at the masked positions only (the projection over every position is most of the
   cost of a small model's MLM step).
2. Fine-tune it for sentiment with LoRA through peft: low-rank adapters on the attention projections and on the
   word embeddings, the (never pre-trained) pooler and classifier trained in full.
3. As a reference, fine-tune every weight from the same checkpoint.
4. Save the adapter, load it back with PeftModel.from_pretrained, merge it with merge_and_unload: all three must
   give the same test predictions.

The headline accuracy is LoRA's. Prints progress events and one result event."""

import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smoke_common as common
from smoke_transformers import SPECIAL, fit, train_wordpiece

PRETRAIN_S = 120.0  # measured in docs/benchmarks.md ("Fine-tuning smoke test")
MASK_RATE = 0.15
TIE = 1e-4  # logit margins below this may flip when the adapter is merged into the weights (float rounding)


def main():
    parser = common.arguments(__doc__, epochs=2, maxlen=128, vocab=8000, batch=32)
    parser.add_argument(
        "--pretrain-s", type=float, default=float(os.environ.get("LLMENV_FINETUNE_PRETRAIN_S", PRETRAIN_S))
    )
    parser.add_argument("--window", type=int, default=64, help="pre-training sequence length")
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--rank", type=int, default=8)
    parser.add_argument("--lr", type=float, default=2e-3, help="LoRA's peak learning rate")
    parser.add_argument("--full-lr", type=float, default=1e-3, help="the full fine-tune's peak learning rate")
    parser.add_argument("--targets", default="query,value,word_embeddings")
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    clock = common.Clock()

    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    # OpenMP threads that spin while they wait burn the cores a busy machine lacks: on this shared 2-core host a
    # step measured 0.17 CPU-s when they sleep and 0.4-0.9 CPU-s when they spin (docs/benchmarks.md).
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    import peft
    import torch
    import transformers

    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()

    device = common.torch_setup(args.seed)
    import_s = clock.seconds()
    train_x, train_y, test_x, test_y, header = common.load(args.data, args.kind)
    clean = lambda texts: [t.replace("<br />", " ") for t in texts]  # noqa: E731
    train_x, test_x = clean(train_x), clean(test_x)
    wordpiece = train_wordpiece(train_x, args.vocab, args.maxlen)
    board = common.open_board(args.tensorboard)
    stages = 1 + 2 * args.epochs
    common.emit(
        "start",
        framework="finetune",
        version="transformers %s / peft %s / torch %s"
        % (transformers.__version__, peft.__version__, torch.__version__),
        device=device,
        train=len(train_y),
        test=len(test_y),
        epochs=stages,
        import_s=round(import_s, 2),
    )

    config = transformers.BertConfig(
        vocab_size=wordpiece.get_vocab_size(),
        hidden_size=args.hidden,
        num_hidden_layers=args.layers,
        num_attention_heads=2,
        intermediate_size=args.hidden * 4,
        max_position_embeddings=max(args.maxlen, args.window) + 2,
        num_labels=2,
    )
    pretrain_start = time.perf_counter()
    mlm_curve, mlm_steps, encoder = pretrain(torch, transformers, config, wordpiece, train_x, args, device, board)
    pretrain_s = time.perf_counter() - pretrain_start

    restore(wordpiece, args.maxlen)
    ids_tr, mask_tr = encode(torch, wordpiece, train_x)
    ids_te, mask_te = encode(torch, wordpiece, test_x)
    ytr, yte = torch.tensor(train_y), torch.tensor(test_y)
    data = (ids_tr, mask_tr, ytr)
    work = tempfile.TemporaryDirectory(prefix="llmenv-finetune-")
    checkpoint = os.path.join(work.name, "checkpoint")
    adapter_dir = os.path.join(work.name, "adapter")
    # The checkpoint both fine-tunes start from: the pre-trained encoder and one seeded, untrained pooler and head.
    torch.manual_seed(args.seed)
    start_model = transformers.BertForSequenceClassification(config)
    loaded_keys = start_model.bert.load_state_dict(encoder, strict=False)
    # BertForMaskedLM's encoder has no pooler: that, and only that, stays as initialised.
    assert not loaded_keys.unexpected_keys and all(k.startswith("pooler.") for k in loaded_keys.missing_keys)
    start_model.save_pretrained(checkpoint)

    from peft import LoraConfig, PeftModel, TaskType, get_peft_model

    lora_config = LoraConfig(
        task_type=TaskType.SEQ_CLS,
        r=args.rank,
        lora_alpha=2 * args.rank,
        lora_dropout=0.05,
        target_modules=args.targets.split(","),
        modules_to_save=["classifier", "pooler"],
    )
    torch.manual_seed(args.seed)
    lora = get_peft_model(transformers.BertForSequenceClassification.from_pretrained(checkpoint), lora_config)
    trainable, total = lora.get_nb_trainable_parameters()
    lora_start = time.perf_counter()
    lora_curve = fit(torch, lora.to(device), data, args.epochs, args.batch, args.lr, device, 1, stages, "LoRA")
    lora_s = time.perf_counter() - lora_start
    logits = predict(torch, lora, ids_te, mask_te, device)
    accuracy = float((logits.argmax(-1) == yte).float().mean())
    board.scalar("lora/test_accuracy", accuracy, args.epochs)

    lora.save_pretrained(adapter_dir)
    adapter_bytes = sum(os.path.getsize(os.path.join(adapter_dir, f)) for f in os.listdir(adapter_dir))
    base = transformers.BertForSequenceClassification.from_pretrained(checkpoint)
    loaded = PeftModel.from_pretrained(base, adapter_dir)
    loaded_logits = predict(torch, loaded, ids_te, mask_te, device)
    merged = loaded.merge_and_unload()
    merged_logits = predict(torch, merged, ids_te, mask_te, device)
    same = {"loaded": agree(logits, loaded_logits), "merged": agree(logits, merged_logits)}
    if not all(ok for ok, _ in same.values()):
        raise SystemExit("save/load/merge changed the predictions: %r" % same)

    torch.manual_seed(args.seed)
    full = transformers.BertForSequenceClassification.from_pretrained(checkpoint)
    full_curve = fit(
        torch, full.to(device), data, args.epochs, args.batch, args.full_lr, device, 1 + args.epochs, stages, "full"
    )
    full_logits = predict(torch, full, ids_te, mask_te, device)
    full_accuracy = float((full_logits.argmax(-1) == yte).float().mean())
    board.scalar("full/test_accuracy", full_accuracy, args.epochs)
    work.cleanup()

    common.result(
        "finetune",
        accuracy,
        lora_curve,
        device,
        lora_s,
        len(ytr),
        args.epochs,
        clock,
        len(yte),
        header,
        model="BERT %d-layer %d-wide pre-trained (MLM) for %.0f s (%d steps), WordPiece %d; LoRA r=%d on %s"
        % (args.layers, args.hidden, pretrain_s, mlm_steps, wordpiece.get_vocab_size(), args.rank, args.targets),
        lora={
            "trainable_params": trainable,
            "total_params": total,
            "trainable_fraction": round(trainable / total, 4),
            "rank": args.rank,
            "targets": args.targets.split(","),
            "adapter_bytes": adapter_bytes,
            "same_predictions": {k: v[1] for k, v in same.items()},
        },
        reference={"full_finetune_accuracy": round(full_accuracy, 4), "loss_curve": [round(v, 4) for v in full_curve]},
        pretrain={
            "seconds": round(pretrain_s, 1),
            "budget_s": args.pretrain_s,
            "steps": mlm_steps,
            "mlm_loss_curve": [round(v, 3) for v in mlm_curve],
            "window": args.window,
        },
    )


def pretrain(torch, transformers, config, wordpiece, texts, args, device, board):
    """Masked-language modelling for args.pretrain_s seconds; returns (mean loss per tenth of the budget, steps,
    the encoder's weights)."""
    model = transformers.BertForMaskedLM(config).to(device)
    windows = torch.tensor(token_windows(wordpiece, texts, args.window))
    special = torch.tensor([wordpiece.token_to_id(t) for t in ("[PAD]", "[CLS]", "[SEP]")])
    mask_id, vocab = wordpiece.token_to_id("[MASK]"), wordpiece.get_vocab_size()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
    generator = torch.Generator().manual_seed(args.seed)
    budget, batch, warmup = max(0.0, args.pretrain_s), 64, 50
    curve, window_losses, step, started = [], [], 0, time.perf_counter()
    tenth = max(budget / 10, 1e-9)
    model.train()
    while time.perf_counter() - started < budget:
        elapsed = time.perf_counter() - started
        for group in optimizer.param_groups:  # warm-up, then a linear decay over the time budget
            group["lr"] = 1e-3 * min(1.0, (step + 1) / warmup) * max(0.05, 1 - elapsed / budget)
        rows = torch.randint(len(windows), (batch,), generator=generator)
        ids = windows[rows]
        chosen = (torch.rand(ids.shape, generator=generator) < MASK_RATE) & ~torch.isin(ids, special)
        chosen[0, 1] = True  # never an empty batch of targets
        targets = ids[chosen]
        corrupt = ids.clone()
        roll = torch.rand(targets.shape, generator=generator)
        replaced = torch.where(roll < 0.8, mask_id, targets)
        random_ids = torch.randint(len(SPECIAL), vocab, targets.shape, generator=generator)  # no special token
        corrupt[chosen] = torch.where(roll >= 0.9, random_ids, replaced)
        hidden = model.bert(input_ids=corrupt.to(device), attention_mask=(ids != 0).long().to(device))[0]
        scores = model.cls(hidden[chosen.to(device)])  # the vocabulary projection at masked positions only
        loss = torch.nn.functional.cross_entropy(scores, targets.to(device))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        step += 1
        window_losses.append(float(loss.detach()))
        if elapsed >= tenth * (len(curve) + 1) or time.perf_counter() - started >= budget:
            curve.append(sum(window_losses) / len(window_losses))
            board.scalar("pre-training/mlm_loss_by_tenth", curve[-1], len(curve))
            window_losses = []
        if step % 10 == 0:
            common.emit("step", epoch=1, step=min(int(elapsed), int(budget)), steps=int(budget), phase="pre-training")
    seconds = time.perf_counter() - started
    common.epoch_done(
        1, 1 + 2 * args.epochs, curve[-1] if curve else 0.0, None, step * batch, seconds, "pre-training (MLM)"
    )
    return curve, step, {k: v.detach().clone() for k, v in model.bert.state_dict().items()}


def token_windows(wordpiece, texts, window):
    """Every train review's tokens cut into windows of `window` tokens, [CLS] ... [SEP], padded."""
    cls, sep = wordpiece.token_to_id("[CLS]"), wordpiece.token_to_id("[SEP]")
    wordpiece.no_truncation()
    wordpiece.no_padding()
    body = window - 2
    rows = []
    for encoded in wordpiece.encode_batch(texts, add_special_tokens=False):
        ids = encoded.ids
        for start in range(0, len(ids), body):
            piece = ids[start : start + body]
            if len(piece) >= body // 4:
                rows.append([cls, *piece, sep] + [0] * (body - len(piece)))
    return rows


def restore(wordpiece, maxlen):
    """Back to the classifier's encoding: the end of each review kept, padded to `maxlen`."""
    wordpiece.enable_truncation(max_length=maxlen, direction="left")
    wordpiece.enable_padding(length=maxlen, pad_id=wordpiece.token_to_id("[PAD]"), pad_token="[PAD]")


def encode(torch, wordpiece, texts):
    encoded = wordpiece.encode_batch(texts)
    return torch.tensor([e.ids for e in encoded]), torch.tensor([e.attention_mask for e in encoded])


def predict(torch, model, ids, mask, device):
    model.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(ids), 128):
            batch = ids[start : start + 128].to(device), mask[start : start + 128].to(device)
            out.append(model(input_ids=batch[0], attention_mask=batch[1]).logits.float().cpu())
    return torch.cat(out)


def agree(first, second):
    """(same predictions, max logit difference): a prediction may differ only where its margin is a float tie."""
    differ = first.argmax(-1) != second.argmax(-1)
    margin = (first[:, 1] - first[:, 0]).abs()
    ok = not bool((differ & (margin > TIE)).any())
    return ok, {"differ": int(differ.sum()), "max_logit_diff": float((first - second).abs().max())}


if __name__ == "__main__":
    main()
