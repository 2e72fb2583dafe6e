"""IMDB smoke test in PyTorch: Embedding -> Conv1D -> MaxPool1D -> LSTM -> Dense, the classic Keras IMDB
CNN-LSTM architecture rebuilt in torch. Prints progress events and one result event."""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smoke_common as common


def main():
    args = common.arguments(__doc__, epochs=5).parse_args()
    clock = common.Clock()

    import torch
    from torch import nn

    device = common.torch_setup(args.seed)
    common.open_board(args.tensorboard)
    import_s = clock.seconds()

    train_x, train_y, test_x, test_y, header = common.load(args.data, args.kind)
    vocab = common.build_vocab(train_x, args.vocab)
    xtr = torch.from_numpy(common.encode(train_x, vocab, args.maxlen))
    ytr = torch.tensor(train_y, dtype=torch.float32)
    xte = torch.from_numpy(common.encode(test_x, vocab, args.maxlen))
    yte = torch.tensor(test_y, dtype=torch.float32)
    common.emit(
        "start",
        framework="torch",
        version=torch.__version__,
        device=device,
        train=len(ytr),
        test=len(yte),
        epochs=args.epochs,
        import_s=round(import_s, 2),
    )

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(args.vocab, 64)
            self.drop = nn.Dropout(0.25)
            self.conv = nn.Conv1d(64, 64, kernel_size=5)
            self.pool = nn.MaxPool1d(4)
            self.lstm = nn.LSTM(64, 70, batch_first=True)
            self.out = nn.Linear(70, 1)

        def forward(self, x):
            h = self.drop(self.embed(x)).transpose(1, 2)
            h = self.pool(torch.relu(self.conv(h))).transpose(1, 2)
            _, (last, _) = self.lstm(h)
            return self.out(last[-1]).squeeze(-1)

    model = Model().to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss()
    losses, train_start = [], time.perf_counter()
    steps = (len(ytr) + args.batch - 1) // args.batch
    for epoch in range(1, args.epochs + 1):
        model.train()
        order = torch.randperm(len(ytr))
        total, hits, started = 0.0, 0, time.perf_counter()
        for step in range(steps):
            index = order[step * args.batch : (step + 1) * args.batch]
            x, y = xtr[index].to(device), ytr[index].to(device)
            optimizer.zero_grad()
            logits = model(x)
            loss = loss_fn(logits, y)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(index)
            hits += int(((logits.detach() > 0).float() == y).sum())
            if step % 20 == 0:
                common.emit("step", epoch=epoch, step=step + 1, steps=steps)
        seconds = time.perf_counter() - started
        losses.append(total / len(ytr))
        common.epoch_done(epoch, args.epochs, losses[-1], hits / len(ytr), len(ytr), seconds)
    train_s = time.perf_counter() - train_start
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(yte), 256):
            logits = model(xte[start : start + 256].to(device))
            correct += int(((logits > 0).float().cpu() == yte[start : start + 256]).sum())
    common.result("torch", correct / len(yte), losses, device, train_s, len(ytr), args.epochs, clock, len(yte), header)


main()
