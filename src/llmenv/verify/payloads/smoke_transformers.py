"""IMDB smoke test with transformers: a small BERT-style BertForSequenceClassification built from a config, with a
WordPiece tokenizer trained on the training texts by the tokenizers library; or `--model` (a local path or hub id)
fine-tuned instead. AdamW with a one-cycle schedule."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smoke_common as common


def main():
    parser = common.arguments(__doc__, epochs=2, maxlen=128, vocab=8000)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--model", default=None)
    args = parser.parse_args()
    clock = common.Clock()

    import torch
    import transformers

    device = common.torch_setup(args.seed)
    common.open_board(args.tensorboard)
    import_s = clock.seconds()
    train_x, train_y, test_x, test_y, header = common.load(args.data, args.kind)
    clean = lambda texts: [t.replace("<br />", " ") for t in texts]  # noqa: E731
    train_x, test_x = clean(train_x), clean(test_x)

    if args.model:
        from transformers import AutoModelForSequenceClassification, AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(args.model)
        tokenizer.truncation_side = "left"
        model = AutoModelForSequenceClassification.from_pretrained(args.model, num_labels=2)

        def encode(texts):
            batch = tokenizer(texts, truncation=True, max_length=args.maxlen, padding="max_length", return_tensors="pt")
            return batch["input_ids"], batch["attention_mask"]

        described = args.model
    else:
        from transformers import BertConfig, BertForSequenceClassification

        wordpiece = train_wordpiece(train_x, args.vocab, args.maxlen)
        config = BertConfig(
            vocab_size=wordpiece.get_vocab_size(),
            hidden_size=args.hidden,
            num_hidden_layers=args.layers,
            num_attention_heads=2,
            intermediate_size=args.hidden * 4,
            max_position_embeddings=args.maxlen + 2,
            num_labels=2,
        )
        model = BertForSequenceClassification(config)

        def encode(texts):
            encoded = wordpiece.encode_batch(texts)
            return (torch.tensor([e.ids for e in encoded]), torch.tensor([e.attention_mask for e in encoded]))

        described = "BERT %d-layer %d-wide from config, WordPiece %d trained on the training texts" % (
            args.layers,
            args.hidden,
            wordpiece.get_vocab_size(),
        )

    ids_tr, mask_tr = encode(train_x)
    ids_te, mask_te = encode(test_x)
    ytr, yte = torch.tensor(train_y), torch.tensor(test_y)
    common.emit(
        "start",
        framework="transformers",
        version="transformers %s / torch %s" % (transformers.__version__, torch.__version__),
        device=device,
        model=described,
        train=len(ytr),
        test=len(yte),
        epochs=args.epochs,
        import_s=round(import_s, 2),
    )
    model.to(device)
    train_start = time.perf_counter()
    losses = fit(torch, model, (ids_tr, mask_tr, ytr), args.epochs, args.batch, args.lr, device)
    train_s = time.perf_counter() - train_start
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(yte), 128):
            logits = model(
                input_ids=ids_te[start : start + 128].to(device), attention_mask=mask_te[start : start + 128].to(device)
            ).logits
            correct += int((logits.argmax(-1).cpu() == yte[start : start + 128]).sum())
    common.result(
        "transformers",
        correct / len(yte),
        losses,
        device,
        train_s,
        len(ytr),
        args.epochs,
        clock,
        len(yte),
        header,
        model=described,
    )


def fit(torch, model, data, epochs, batch, lr, device, first=0, stages=None, phase=None):
    """AdamW on the weights that require a gradient, one-cycle schedule; returns the mean train loss per epoch.

    Shared with the fine-tuning payload, whose stages (`phase`) number their epochs after `first`."""
    ids, mask, labels = data
    steps = (len(labels) + batch - 1) // batch
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=steps * epochs, pct_start=0.1)
    named = {"phase": phase} if phase else {}
    losses = []
    for epoch in range(1, epochs + 1):
        model.train()
        order = torch.randperm(len(labels))
        total, hits, started = 0.0, 0, time.perf_counter()
        for step in range(steps):
            index = order[step * batch : (step + 1) * batch]
            out = model(
                input_ids=ids[index].to(device), attention_mask=mask[index].to(device), labels=labels[index].to(device)
            )
            optimizer.zero_grad()
            out.loss.backward()
            optimizer.step()
            schedule.step()
            total += float(out.loss.detach()) * len(index)
            hits += int((out.logits.detach().argmax(-1).cpu() == labels[index]).sum())
            if step % 10 == 0:
                common.emit("step", epoch=first + epoch, step=step + 1, steps=steps, **named)
        seconds = time.perf_counter() - started
        losses.append(total / len(labels))
        common.epoch_done(
            first + epoch, stages or epochs, losses[-1], hits / len(labels), len(labels), seconds, **named
        )
    return losses


SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]


def train_wordpiece(texts, vocab_size, maxlen):
    """A WordPiece tokenizer trained on `texts`, with the same token ids on every run.

    The trainer numbers tokens of equal frequency in the order of a Rust hash map, whose seed is random per process:
    the same texts and seed gave a different id for thousands of tokens on each run, so the model started from a
    different embedding map and the same smoke test scored 0.72 one time and 0.82 the next. The token set does not
    change, and WordPiece splits words by the set alone, so the tokens are renumbered in sorted order."""
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors, trainers

    wordpiece = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    wordpiece.normalizer = normalizers.BertNormalizer(lowercase=True)
    wordpiece.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    trainer = trainers.WordPieceTrainer(
        vocab_size=vocab_size, min_frequency=2, special_tokens=SPECIAL, show_progress=False
    )
    wordpiece.train_from_iterator(texts, trainer=trainer)
    tokens = SPECIAL + sorted(t for t in wordpiece.get_vocab() if t not in SPECIAL)
    wordpiece.model = models.WordPiece({t: i for i, t in enumerate(tokens)}, unk_token="[UNK]")
    cls, sep = wordpiece.token_to_id("[CLS]"), wordpiece.token_to_id("[SEP]")
    wordpiece.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", cls), ("[SEP]", sep)]
    )
    # Keep the end of each review: that is where the verdict usually is.
    wordpiece.enable_truncation(max_length=maxlen, direction="left")
    wordpiece.enable_padding(length=maxlen, pad_id=wordpiece.token_to_id("[PAD]"), pad_token="[PAD]")
    return wordpiece


if __name__ == "__main__":
    main()
