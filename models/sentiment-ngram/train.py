"""sentiment-ngram: multinomial logistic regression over hashed word / bigram / character n-gram TF-IDF blocks.

Run from the repository root (about 25 minutes on 2 shared cores):  /usr/bin/python3 models/sentiment-ngram/train.py
Reads only the committed data in models/sentiment-data/. The grid is scored on the validation split; the chosen
configuration is then refitted on train + validation; the test split and the crypto headlines give the card's
figures and nothing else. Writes model.onnx, model.json and the featurizer fixture of stages/sentiment/.
"""
import csv
import gzip
import hashlib
import io
import json
import math
import os
import subprocess
import sys

import numpy as np
from scipy import optimize, sparse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DATA = os.path.join(ROOT, 'models', 'sentiment-data')
sys.path.insert(0, HERE)
import onnx_graph  # noqa: E402
import text_featurizer as tf  # noqa: E402
import write_fixture  # noqa: E402

SEED = 7
LABELS = ['negative', 'neutral', 'positive']
FEATURIZER = {
    'name': 'hashed-ngrams', 'version': 1, 'digits': 'zero', 'tf': 'count', 'maxTokens': 1024,
    'blocks': [{'kinds': ['word', 'bigram'], 'buckets': 1 << 17},
               {'kinds': ['char'], 'min': 2, 'max': 5, 'buckets': 1 << 17}],
}
# Scale of the character block relative to the word block, and the L2 penalty on the weights.
CHAR_SCALES = [0.3, 0.5, 0.7]
PENALTIES = [3e-6, 1e-5, 3e-5]
CLASS_WEIGHT = 'balanced'  # n / (3 x class count): chosen in the earlier exploration, see README.md


def load():
    rows = list(csv.DictReader(io.StringIO(gzip.open(os.path.join(DATA, 'financial-phrasebank.csv.gz')).read().decode('utf-8'))))
    split = {r['id']: r['split'] for r in csv.DictReader(open(os.path.join(DATA, 'phrasebank-split.csv')))}
    parts = {s: ([], []) for s in ('train', 'validation', 'test')}
    for r in rows:
        parts[split[r['id']]][0].append(r['sentence'])
        parts[split[r['id']]][1].append(LABELS.index(r['label']))
    with open(os.path.join(DATA, 'crypto-headlines-labelled.csv'), newline='', encoding='utf-8') as f:
        crypto = list(csv.DictReader(f))
    parts['crypto'] = ([r['headline'] for r in crypto], [LABELS.index(r['label']) for r in crypto])
    return {k: (texts, np.array(y)) for k, (texts, y) in parts.items()}


def block_of(ids, offsets):
    return np.searchsorted(np.asarray(offsets), np.asarray(ids, dtype=np.int64), side='right') - 1


class Vectoriser:
    """TF-IDF per block from the fitting texts: idf = ln((1 + n) / (1 + df)) + 1, 0 for ids never seen."""

    def __init__(self, featurised, offsets, scales):
        self.offsets, self.scales = offsets, np.asarray(scales, dtype=np.float64)
        df = {}
        for ids, _ in featurised:
            for i in ids:
                df[i] = df.get(i, 0) + 1
        self.seen = np.array(sorted(df), dtype=np.int64)
        self.column = {int(b): j for j, b in enumerate(self.seen)}
        n = len(featurised)
        self.idf = np.array([math.log((1 + n) / (1 + df[int(b)])) + 1 for b in self.seen])
        self.block = block_of(self.seen, offsets)

    def matrix(self, featurised):
        ind, val, ptr = [], [], [0]
        for ids, w in featurised:
            cols = [self.column.get(i, -1) for i in ids]
            x = np.array([wi * self.idf[c] if c >= 0 else 0.0 for wi, c in zip(w, cols)])
            blocks = block_of(ids, self.offsets) if ids else np.zeros(0, dtype=np.int64)
            norms = np.zeros(len(self.offsets))
            for k in range(len(self.offsets)):
                norms[k] = math.sqrt(float((x[blocks == k] ** 2).sum()))
            for c, xi, k in zip(cols, x, blocks):
                if c >= 0:
                    ind.append(c)
                    val.append(xi * self.scales[k] / max(norms[k], onnx_graph.EPS))
            ptr.append(len(ind))
        return sparse.csr_matrix((np.array(val), np.array(ind, dtype=np.int64), np.array(ptr)), shape=(len(featurised), len(self.seen)))


def fit(X, y, penalty):
    """Class-weighted mean cross-entropy + penalty x ||W||^2 (bias free), by L-BFGS from zeros: deterministic."""
    n, v = X.shape
    cw = n / (3 * np.bincount(y, minlength=3))
    sw = cw[y] / cw[y].sum()
    Y = np.eye(3)[y]
    XT = X.T.tocsr()

    def loss_grad(theta):
        W, b = theta[:v * 3].reshape(v, 3), theta[v * 3:]
        Z = X @ W + b
        Z -= Z.max(1, keepdims=True)
        P = np.exp(Z)
        P /= P.sum(1, keepdims=True)
        loss = -(sw * np.log(P[np.arange(n), y])).sum() + penalty * (W * W).sum()
        G = (P - Y) * sw[:, None]
        return loss, np.concatenate([(XT @ G + 2 * penalty * W).ravel(), G.sum(0)])

    r = optimize.minimize(loss_grad, np.zeros(v * 3 + 3), jac=True, method='L-BFGS-B',
                          options={'maxiter': 3000, 'gtol': 1e-8, 'ftol': 1e-12})
    return r.x[:v * 3].reshape(v, 3), r.x[v * 3:], int(r.nit)


def metrics(pred, y):
    """Accuracy, macro-F1 and per-class F1 (0 for a class with no true positive), as classification-metrics.ts."""
    pred, y = np.asarray(pred), np.asarray(y)
    f1 = {}
    for c, name in enumerate(LABELS):
        tp = int(((pred == c) & (y == c)).sum())
        fp = int(((pred == c) & (y != c)).sum())
        fn = int(((pred != c) & (y == c)).sum())
        f1[name] = 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)
    return {'accuracy': int((pred == y).sum()) / len(y), 'macroF1': (f1['negative'] + f1['neutral'] + f1['positive']) / 3, 'f1': f1}


def lexicon_labels(texts):
    """AFINN and VADER labels from the npm packages, through lexicon-baselines.ts (the card test runs the same code)."""
    out = subprocess.run(['npx', 'tsx', os.path.join(HERE, 'lexicon-baselines.ts')], input=json.dumps(texts).encode('utf-8'),
                         capture_output=True, check=True, cwd=ROOT)
    got = json.loads(out.stdout)
    return {k: np.array([LABELS.index(v) for v in got[k]]) for k in ('afinn', 'vader')}


def export(vec, W, b, offsets):
    """Full id table: class weights x idf x block scale, and the idf; ids never seen in fitting stay 0."""
    n_ids = 1 + sum(blk['buckets'] for blk in FEATURIZER['blocks'])
    table = np.zeros((n_ids, 4), dtype=np.float64)
    table[vec.seen, :3] = W * (vec.idf * vec.scales[vec.block])[:, None]
    table[vec.seen, 3] = vec.idf
    table = table.astype(np.float32)
    model = onnx_graph.build(table, b.astype(np.float32), offsets)
    path = os.path.join(HERE, 'model.onnx')
    with open(path, 'wb') as f:
        f.write(model.SerializeToString())
    with open(path, 'rb') as f:
        return table, hashlib.sha256(f.read()).hexdigest()


def main():
    data = load()
    offsets = tf.block_offsets(FEATURIZER)
    feats = {k: [tf.featurize(t, FEATURIZER) for t in texts] for k, (texts, _) in data.items()}
    longest = max(len(f[0]) for f in feats['train'] + feats['validation'])
    ytr, yva = data['train'][1], data['validation'][1]

    grid = []
    for scale in CHAR_SCALES:
        vec = Vectoriser(feats['train'], offsets, [1.0, scale])
        Xtr, Xva = vec.matrix(feats['train']), vec.matrix(feats['validation'])
        for penalty in PENALTIES:
            W, b, nit = fit(Xtr, ytr, penalty)
            m = metrics((Xva @ W + b).argmax(1), yva)
            grid.append({'charScale': scale, 'penalty': penalty, 'iterations': nit, 'validation': m})
            print('char scale %.1f penalty %g: validation accuracy %.4f macro-F1 %.4f' % (scale, penalty, m['accuracy'], m['macroF1']), flush=True)
    best = max(grid, key=lambda g: (g['validation']['macroF1'], g['validation']['accuracy']))

    fit_feats = feats['train'] + feats['validation']
    vec = Vectoriser(fit_feats, offsets, [1.0, best['charScale']])
    W, b, nit = fit(vec.matrix(fit_feats), np.concatenate([ytr, yva]), best['penalty'])
    table, sha = export(vec, W, b, offsets)

    def predict(split):
        logits = np.array([onnx_graph.logits_numpy(table, b, offsets, ids, w) for ids, w in feats[split]])
        top2 = np.sort(logits, axis=1)[:, -2:]
        return logits.argmax(1), float((top2[:, 1] - top2[:, 0]).min())

    majority = int(np.bincount(ytr).argmax())
    results, margins = {}, {}
    for split in ('test', 'crypto'):
        texts, y = data[split]
        pred, margins[split] = predict(split)
        lex = lexicon_labels(texts)
        results[split] = {'count': len(y), 'model': metrics(pred, y), 'baselines': {
            'majority': metrics(np.full(len(y), majority), y), 'afinn': metrics(lex['afinn'], y), 'vader': metrics(lex['vader'], y)}}
    print('test', json.dumps(results['test']['model']), '\ncrypto', json.dumps(results['crypto']['model']))
    print('smallest top-2 logit gap: test %.2e, crypto %.2e' % (margins['test'], margins['crypto']))

    counts = {s: int(len(data[s][1])) for s in ('train', 'validation', 'test')}
    training = {
        'objective': 'class-weighted mean cross-entropy + penalty x sum of squared weights (bias not penalised), L-BFGS-B from zeros',
        'classWeight': CLASS_WEIGHT, 'grid': {'charScale': CHAR_SCALES, 'penalty': PENALTIES}, 'choice': 'highest validation macro-F1',
        'chosen': {'charScale': best['charScale'], 'penalty': best['penalty'], 'validation': best['validation']},
        'gridResults': grid, 'refit': 'chosen configuration refitted on train + validation (idf too)', 'refitIterations': nit,
        'fittedIds': int(len(vec.seen)), 'longestFeaturisedText': int(longest),
    }
    write_card(sha, counts, training, results, majority)
    write_fixture.write(data, FEATURIZER)


def write_card(sha, counts, training, results, majority):
    lic = 'CC BY-NC-SA 3.0 (training data: Financial PhraseBank, Malo et al. 2014): non-commercial use only'
    card = {
        'name': 'sentiment-ngram', 'version': '1.0.0', 'task': 'sentiment', 'kind': 'linear',
        'description': 'Three-class sentiment (negative, neutral, positive) of a financial news sentence or headline: '
                       'multinomial logistic regression over hashed TF-IDF word, bigram and character n-gram blocks.',
        'licence': lic,
        'labels': LABELS,
        'featurizer': dict(FEATURIZER, implementation='stages/sentiment/text-featurizer.ts (models/sentiment-ngram/text_featurizer.py in training)',
                           rule=tf.RULE),
        'onnx': {
            'file': 'model.onnx', 'opset': onnx_graph.OPSET, 'sha256': sha,
            'inputName': onnx_graph.IDS, 'inputShape': [-1, -1], 'outputName': onnx_graph.OUTPUT, 'outputShape': [-1, 3],
            'inputs': [{'name': onnx_graph.IDS, 'type': 'int64', 'shape': [-1, -1], 'meaning': 'featurizer ids, 0-padded on the right'},
                       {'name': onnx_graph.WEIGHTS, 'type': 'float32', 'shape': [-1, -1], 'meaning': 'featurizer weights, 0 at padding'}],
            'output': 'softmax probabilities per text in the order of labels',
        },
        'data': {
            # One string: the registry's card validator reads data.source as text.
            'source': 'models/sentiment-data/financial-phrasebank.csv.gz, split by models/sentiment-data/phrasebank-split.csv; '
                      'crypto evaluation: models/sentiment-data/crypto-headlines-labelled.csv',
            'licence': 'Financial PhraseBank: CC BY-NC-SA 3.0; crypto headlines: no licence stated by the source (evaluation only)',
            'split': {'rule': 'stratified by label, seeded (7), 70/15/15 of duplicate groups (sentences equal up to case, spacing and '
                              'punctuation stay in one split); the test split was used for nothing but these metrics',
                      'seed': 7, 'counts': counts},
        },
        'seed': SEED,
        'training': training,
        'metrics': dict({'span': 'test'}, **results['test'], reference='FinBERT 0.86 accuracy (published, Araci 2019; not measured here)',
                        baselineDefinitions={
                            'majority': 'always %s, the most common training class' % LABELS[majority],
                            'afinn': 'npm sentiment 5.0.2 (AFINN-165): comparative score > 0 positive, < 0 negative, else neutral',
                            'vader': 'npm vader-sentiment 1.1.3: compound >= 0.05 positive, <= -0.05 negative, else neutral'},
                        crypto=dict(results['crypto'], source='models/sentiment-data/crypto-headlines-labelled.csv',
                                    note='labelled by one annotator; never used for training or any choice')),
    }
    with open(os.path.join(HERE, 'model.json'), 'w') as f:
        json.dump(card, f, indent=2, ensure_ascii=False)
        f.write('\n')


if __name__ == '__main__':
    main()
