"""ridge-h5: ridge regression of the 5-minute log return on the last feature row.

Run from the repository root: /usr/bin/python3 models/ridge-h5/train.py (after build-features.ts).
The ridge penalty is chosen on the validation span; the test span only gives the card's numbers.
"""
import os
import sys

import numpy as np
import torch
from sklearn.linear_model import Ridge

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import training as t  # noqa: E402

SEED = 7
WINDOW = 1
ALPHAS = [0.1, 1.0, 10.0, 100.0, 1000.0, 10000.0]
HERE = os.path.dirname(os.path.abspath(__file__))


class Linear(torch.nn.Module):
    def __init__(self, coef, intercept):
        super().__init__()
        self.linear = torch.nn.Linear(len(coef), 1)
        with torch.no_grad():
            self.linear.weight.copy_(torch.tensor([coef], dtype=torch.float32))
            self.linear.bias.copy_(torch.tensor([intercept], dtype=torch.float32))

    def forward(self, x):
        return self.linear(x[:, -1, :])


def main():
    t.seed_everything(SEED)
    start, close, feats = t.load_rows()
    mean, std = t.normalisation(start, feats)
    xtr, ytr = t.windows(start, close, feats, mean, std, WINDOW, 'train')
    xva, yva = t.windows(start, close, feats, mean, std, WINDOW, 'validation')
    scores = []
    for alpha in ALPHAS:
        m = Ridge(alpha=alpha).fit(xtr[:, -1, :].astype(np.float64), ytr)
        pred = m.predict(xva[:, -1, :].astype(np.float64))
        scores.append((float(np.mean(np.abs(pred - yva))), alpha, m))
    val_mae, alpha, best = min(scores, key=lambda s: s[0])
    module = Linear(best.coef_.tolist(), float(best.intercept_))
    sha = t.export_onnx(module, WINDOW, os.path.join(HERE, 'model.onnx'))

    xte, yte = t.windows(start, close, feats, mean, std, WINDOW, 'test')
    with torch.no_grad():
        pred = module(torch.from_numpy(xte)).numpy()[:, 0]
    card = t.write_card(
        HERE, name='ridge-h5', version='1.0.0', kind='linear',
        description='Ridge regression of the BTC/USDT 5-minute log return on the last 1m feature row.',
        window=WINDOW, mean=mean, std=std, sha256=sha, seed=SEED,
        model_metrics=t.metrics(pred, yte), baseline_metrics=t.metrics(np.zeros_like(yte), yte),
        test_count=len(yte),
        training={'trainExamples': len(ytr), 'validationExamples': len(yva), 'alphas': ALPHAS, 'chosenAlpha': alpha,
                  'validationMae': val_mae, 'choice': 'alpha with the lowest validation MAE'},
    )
    print(card['metrics'])


if __name__ == '__main__':
    main()
