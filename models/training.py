"""Shared training code of the bundled models: data, strict time split, metrics, ONNX export, model card.

Reads models/dataset/build/features.csv (written by `npx tsx models/dataset/build-features.ts` from the committed
candles with the indicators stage's own TypeScript code) and applies exactly the rules of models/dataset/dataset.ts:
an example at candle i has its window of rows i-W+1..i complete (no null in the chosen features), its target candle
i+H, and feature time and target time inside one span. The test span is only ever used for the card's numbers.
"""
import csv
import hashlib
import json
import math
import os
import random
from datetime import datetime, timezone

import numpy as np
import torch

ROOT = os.path.dirname(os.path.abspath(__file__))
FEATURES_CSV = os.path.join(ROOT, 'dataset', 'build', 'features.csv')
CANDLES_FILE = 'models/dataset/binanceus_BTCUSDT_1m_20230301_20230321.csv.gz'
MINUTE = 60_000
OPSET = 17
INPUT_NAME = 'features'
OUTPUT_NAME = 'log_return'
HORIZON = 5
TIMEFRAME = '1m'

# [from, to) by feature time, epoch ms; identical to models/dataset/dataset.ts
SPANS = {
    'train': (1677628800000, 1678838400000),       # 2023-03-01 .. 2023-03-15
    'validation': (1678838400000, 1679097600000),  # 2023-03-15 .. 2023-03-18
    'test': (1679097600000, 1679443200000),        # 2023-03-18 .. 2023-03-22
}

# Scale-free FeatureVector fields (no raw price levels, which drift out of the train range).
FEATURES = ['logReturn', 'volatility20', 'rsi14', 'stochK', 'stochD', 'williamsR14', 'cci20', 'mfi14', 'adx14']


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(2)


def load_rows():
    if not os.path.exists(FEATURES_CSV):
        raise SystemExit('missing %s: run `npx tsx models/dataset/build-features.ts` first' % FEATURES_CSV)
    with open(FEATURES_CSV, newline='') as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    start = np.array([int(r['start']) for r in rows], dtype=np.int64)
    close = np.array([float(r['close']) for r in rows], dtype=np.float64)
    feats = np.array([[float(r[k]) if r[k] != '' else math.nan for k in FEATURES] for r in rows], dtype=np.float64)
    return start, close, feats


def span_of(feature_time, target_time):
    for name, (a, b) in SPANS.items():
        if a <= feature_time < b and a <= target_time < b:
            return name
    return None


def normalisation(start, feats):
    a, b = SPANS['train']
    rows = feats[(start >= a) & (start < b)]
    rows = rows[~np.isnan(rows).any(axis=1)]
    return rows.mean(axis=0), rows.std(axis=0)


def windows(start, close, feats, mean, std, window, span):
    """Inputs [N, window, F] (float32, normalised), targets [N] (float64) and base/actual prices of one span."""
    norm = (feats - mean) / std
    xs, ys = [], []
    complete = ~np.isnan(feats).any(axis=1)
    for i in range(window - 1, len(start) - HORIZON):
        if start[i + HORIZON] != start[i] + HORIZON * MINUTE:
            raise SystemExit('gap in the candle series at %d' % start[i])
        if span_of(start[i], start[i + HORIZON]) != span:
            continue
        if not complete[i - window + 1:i + 1].all():
            continue
        xs.append(norm[i - window + 1:i + 1])
        ys.append(math.log(close[i + HORIZON] / close[i]))
    return np.array(xs, dtype=np.float32), np.array(ys, dtype=np.float64)


def sign(v):
    return (v > 0).astype(np.int8) - (v < 0).astype(np.int8)


def metrics(pred, actual):
    """MAE, RMSE and directional accuracy (sign equality, a zero is its own sign), like the error monitor."""
    pred = pred.astype(np.float64)
    err = pred - actual
    return {
        'mae': float(np.mean(np.abs(err))),
        'rmse': float(math.sqrt(np.mean(err * err))),
        'directionalAccuracy': float(np.mean(sign(pred) == sign(actual))),
    }


def iso(ms):
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def export_onnx(module, window, path):
    module.eval()
    dummy = torch.zeros(1, window, len(FEATURES), dtype=torch.float32)
    kwargs = dict(input_names=[INPUT_NAME], output_names=[OUTPUT_NAME], opset_version=OPSET,
                  dynamic_axes={INPUT_NAME: {0: 'batch'}, OUTPUT_NAME: {0: 'batch'}})
    try:
        torch.onnx.export(module, (dummy,), path, dynamo=False, **kwargs)
    except TypeError:
        torch.onnx.export(module, (dummy,), path, **kwargs)
    import onnx
    onnx.checker.check_model(onnx.load(path))
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_card(directory, *, name, version, kind, description, window, mean, std, sha256, seed, model_metrics,
               baseline_metrics, test_count, training):
    card = {
        'name': name,
        'version': version,
        'task': 'return-forecast',
        'kind': kind,
        'description': description,
        'symbol': 'BTC/USDT',
        'timeframe': TIMEFRAME,
        'horizon': HORIZON,
        'inputs': {
            'features': FEATURES,
            'windowLength': window,
            'mean': [float(v) for v in mean],
            'std': [float(v) for v in std],
            'normalisation': '(value - mean) / std per feature, constants from the train span only',
        },
        'output': {
            'name': OUTPUT_NAME,
            'meaning': 'log return ln(close at featureTime + %d x %s / close at featureTime)' % (HORIZON, TIMEFRAME),
        },
        'onnx': {
            'file': 'model.onnx',
            'opset': OPSET,
            'inputName': INPUT_NAME,
            'inputShape': [-1, window, len(FEATURES)],
            'outputName': OUTPUT_NAME,
            'outputShape': [-1, 1],
            'sha256': sha256,
        },
        'data': {
            'source': CANDLES_FILE,
            'spans': {k: {'from': iso(a), 'to': iso(b)} for k, (a, b) in SPANS.items()},
            'rule': 'an example belongs to a span when both its feature time and its target time do; '
                    'the test span was used for nothing but these metrics',
        },
        'seed': seed,
        'training': training,
        'metrics': {
            'span': 'test',
            'count': int(test_count),
            'model': model_metrics,
            'baseline': baseline_metrics,
            'baselineDefinition': 'naive no-change forecast: predicted log return 0',
        },
    }
    with open(os.path.join(directory, 'model.json'), 'w') as f:
        json.dump(card, f, indent=2)
        f.write('\n')
    return card
