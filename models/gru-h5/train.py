"""gru-h5: a one-layer GRU (16 units) over the last 30 feature rows, predicting the 5-minute log return.

Run from the repository root: /usr/bin/python3 models/gru-h5/train.py (after build-features.ts).
Early stopping on the validation span's MSE; the test span only gives the card's numbers.
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import training as t  # noqa: E402

SEED = 7
WINDOW = 30
HIDDEN = 16
EPOCHS = 12
PATIENCE = 3
BATCH = 256
LR = 1e-3
HERE = os.path.dirname(os.path.abspath(__file__))


class Gru(torch.nn.Module):
    """Targets are tiny (~1e-3): the head predicts in units of the train target std, scaled back inside the graph."""

    def __init__(self, features, scale):
        super().__init__()
        self.gru = torch.nn.GRU(features, HIDDEN, batch_first=True)
        self.head = torch.nn.Linear(HIDDEN, 1)
        self.register_buffer('scale', torch.tensor(scale, dtype=torch.float32))

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1, :]) * self.scale


def main():
    t.seed_everything(SEED)
    start, close, feats = t.load_rows()
    mean, std = t.normalisation(start, feats)
    xtr, ytr = t.windows(start, close, feats, mean, std, WINDOW, 'train')
    xva, yva = t.windows(start, close, feats, mean, std, WINDOW, 'validation')
    scale = float(ytr.std())
    model = Gru(len(t.FEATURES), scale)
    opt = torch.optim.Adam(model.parameters(), lr=LR)
    xtr_t, ytr_t = torch.from_numpy(xtr), torch.from_numpy(ytr.astype(np.float32))
    xva_t = torch.from_numpy(xva)
    gen = torch.Generator().manual_seed(SEED)
    best, best_state, stale, history = float('inf'), None, 0, []
    for epoch in range(EPOCHS):
        model.train()
        order = torch.randperm(len(xtr_t), generator=gen)
        for b in range(0, len(order), BATCH):
            idx = order[b:b + BATCH]
            opt.zero_grad()
            loss = torch.mean(((model(xtr_t[idx])[:, 0] - ytr_t[idx]) / scale) ** 2)
            loss.backward()
            opt.step()
        model.eval()
        with torch.no_grad():
            val = float(np.mean((model(xva_t).numpy()[:, 0].astype(np.float64) - yva) ** 2))
        history.append(val)
        print('epoch %d validation mse %.4e' % (epoch, val))
        if val < best:
            best, best_state, stale = val, {k: v.clone() for k, v in model.state_dict().items()}, 0
        else:
            stale += 1
            if stale >= PATIENCE:
                break
    model.load_state_dict(best_state)
    sha = t.export_onnx(model, WINDOW, os.path.join(HERE, 'model.onnx'))

    xte, yte = t.windows(start, close, feats, mean, std, WINDOW, 'test')
    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(xte)).numpy()[:, 0]
    card = t.write_card(
        HERE, name='gru-h5', version='1.0.0', kind='gru',
        description='One-layer GRU (16 units) over the last 30 BTC/USDT 1m feature rows, 5-minute log return.',
        window=WINDOW, mean=mean, std=std, sha256=sha, seed=SEED,
        model_metrics=t.metrics(pred, yte), baseline_metrics=t.metrics(np.zeros_like(yte), yte),
        test_count=len(yte),
        training={'trainExamples': len(ytr), 'validationExamples': len(yva), 'hidden': HIDDEN, 'epochsMax': EPOCHS,
                  'patience': PATIENCE, 'batch': BATCH, 'learningRate': LR, 'optimizer': 'Adam',
                  'loss': 'MSE in units of the train target std', 'validationMse': history,
                  'choice': 'epoch with the lowest validation MSE (early stopping)'},
    )
    print(card['metrics'])


if __name__ == '__main__':
    main()
