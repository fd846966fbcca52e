"""Shared code of the realised-volatility models: data rules, targets, baselines, losses, Diebold-Mariano, HAR
design, ONNX graph, model card. The Node twin is realised-volatility.ts / diebold-mariano.ts / evaluate-volatility.ts
beside this file; models/<name>/model-card.test.ts recomputes every card figure with it.

Definitions (identical in TypeScript):
- logReturn r_j is the FeatureVector field (ln close_j / close_{j-1}, the indicators stage's own code).
- Target at feature candle t: RV = sqrt(sum_{j=t+1}^{t+H} r_j^2), realised volatility of the next H candles.
- Persistence: sqrt(sum_{j=t-H+1}^{t} r_j^2), the realised volatility of the last H candles.
- EWMA (RiskMetrics): s_1 = r_1^2 at the first return of the series, s_j = lam s_{j-1} + (1 - lam) r_j^2 (lam 0.94),
  forecast RV = sqrt(H s_t) (the one-candle variance scaled to the horizon).
- Squared error on RV: (RV_fc - RV)^2. QLIKE on variances: q - ln q - 1 with q = RV^2 / RV_fc^2 (0 when exact).
- Diebold-Mariano: d_t = L(model) - L(baseline); Newey-West (Bartlett weights 1 - k/H, lags 1..H-1) long-run
  variance with autocovariances divided by n; DM = mean(d) / sqrt(V / n); Harvey-Leybourne-Newbold factor
  sqrt((n + 1 - 2H + H(H-1)/n) / n); two-sided p from Student's t with n - 1 degrees of freedom.
"""
import csv
import hashlib
import json
import math
import os

import numpy as np

OPSET = 17
INPUT_NAME = 'features'
OUTPUT_NAME = 'realised_volatility'
EWMA_LAMBDA = 0.94
# Keeps the log of an average of squared returns finite over flat candles (r = 0, true range 0); (3e-5)^2, far
# below a typical 1m squared return (~4e-7).
LOG_FLOOR = 1e-9


# ---------------------------------------------------------------- data rules (as models/dataset/dataset.ts)

def load_features(path, fields):
    if not os.path.exists(path):
        raise SystemExit('missing %s: build the features first (see the model README)' % path)
    with open(path, newline='') as f:
        rows = list(csv.DictReader(f))
    start = np.array([int(r['start']) for r in rows], dtype=np.int64)
    cols = {k: np.array([float(r[k]) if r[k] != '' else math.nan for r in rows], dtype=np.float64)
            for k in set(fields) | {'logReturn', 'close'}}
    return start, cols


def span_of(spans, feature_time, target_time):
    for name, (a, b) in spans.items():
        if a <= feature_time < b and a <= target_time < b:
            return name
    return None


def example_indexes(start, cols, fields, window, horizon, span, spans, step_ms):
    """Feature candles i of `span`: window rows i-W+1..i complete in `fields`, target candle i+H in the span too."""
    complete = ~np.isnan(np.column_stack([cols[f] for f in fields])).any(axis=1)
    out = []
    for i in range(window - 1, len(start) - horizon):
        if start[i + horizon] != start[i] + horizon * step_ms:
            raise SystemExit('gap in the candle series at %d' % start[i])
        if span_of(spans, start[i], start[i + horizon]) != span:
            continue
        if not complete[i - window + 1:i + 1].all():
            continue
        out.append(i)
    return np.array(out, dtype=np.int64)


def without_zero_targets(cols, idx, horizon):
    """Leaves out examples whose next `horizon` log returns are all 0 (no trade: an exchange outage), where ln RV^2
    and QLIKE are undefined; returns the kept indexes and how many were left out."""
    keep = realised_variance(cols['logReturn'], idx, 1, horizon) > 0
    return idx[keep], int((~keep).sum())


def normalisation(start, cols, fields, spans):
    """Mean and (population) std of each field over the train span's complete rows, as models/training.py."""
    a, b = spans['train']
    x = np.column_stack([cols[f] for f in fields])
    x = x[(start >= a) & (start < b)]
    x = x[~np.isnan(x).any(axis=1)]
    return x.mean(axis=0), x.std(axis=0)


# ---------------------------------------------------------------- targets and baselines

def realised_variance(r, idx, first_offset, horizon):
    """sum of r_j^2 over j = i + first_offset .. i + first_offset + horizon - 1, for each i of idx."""
    return np.array([float(np.sum(r[i + first_offset:i + first_offset + horizon] ** 2)) for i in idx])


def ewma_variance(r, lam=EWMA_LAMBDA):
    """One-candle EWMA variance after each row (nan before the first return)."""
    out = np.full(len(r), math.nan)
    s = None
    for j, x in enumerate(r):
        if math.isnan(x):
            if s is not None:
                raise SystemExit('null logReturn inside the series at row %d' % j)
            continue
        s = x * x if s is None else lam * s + (1 - lam) * x * x
        out[j] = s
    return out


def targets_and_baselines(cols, idx, horizon):
    r = cols['logReturn']
    rv = np.sqrt(realised_variance(r, idx, 1, horizon))
    persistence = np.sqrt(realised_variance(r, idx, 1 - horizon, horizon))
    ewma = np.sqrt(horizon * ewma_variance(r)[idx])
    return rv, {'persistence': persistence, 'ewma': ewma}


# ---------------------------------------------------------------- losses and the Diebold-Mariano test

def squared_errors(rv, fc):
    return (fc - rv) ** 2


def qlikes(rv, fc):
    q = (rv * rv) / (fc * fc)
    return q - np.log(q) - 1


def losses(rv, fc):
    return {'mse': float(np.mean(squared_errors(rv, fc))), 'qlike': float(np.mean(qlikes(rv, fc)))}


def diebold_mariano(loss_a, loss_b, horizon):
    from scipy import stats
    d = np.asarray(loss_a, dtype=np.float64) - np.asarray(loss_b, dtype=np.float64)
    n = len(d)
    mean = float(np.mean(d))
    e = d - mean
    v = float(np.dot(e, e) / n)
    for k in range(1, horizon):
        v += 2 * (1 - k / horizon) * float(np.dot(e[k:], e[:-k]) / n)
    dm = mean / math.sqrt(v / n)
    hln = dm * math.sqrt((n + 1 - 2 * horizon + horizon * (horizon - 1) / n) / n)
    p = float(2 * stats.t.sf(abs(hln), n - 1))
    return {'meanDifferential': mean, 'longRunVariance': v, 'statistic': dm, 'hlnStatistic': hln, 'pValue': p}


def comparisons(rv, model_fc, baselines, horizon):
    """DM of the model against every baseline, on squared error and on QLIKE."""
    out = {}
    for name, fc in baselines.items():
        out[name] = {
            'squaredError': diebold_mariano(squared_errors(rv, model_fc), squared_errors(rv, fc), horizon),
            'qlike': diebold_mariano(qlikes(rv, model_fc), qlikes(rv, fc), horizon),
        }
    return out


# ---------------------------------------------------------------- model input exactly as the predictor builds it

def served_values(cols, fields, mean, std):
    """Each field as the ONNX graph sees it: normalised in float64, rounded to float32 (the input tensor), then
    un-normalised in float64 inside the graph."""
    out = {}
    for f, m, s in zip(fields, mean, std):
        z32 = ((cols[f] - m) / s).astype(np.float32)
        out[f] = z32.astype(np.float64) * s + m
    return out


def fit_ols_log(x, y):
    """Least squares of ln(RV^2) on x, then the multiplicative constant that minimises QLIKE on the same rows
    (mean of y / exp(x b)), folded into the intercept: a variance forecast, not exp(E[ln RV^2])."""
    b = np.linalg.lstsq(x, np.log(y), rcond=None)[0]
    k = float(np.mean(y / np.exp(x @ b)))
    b = b.copy()
    b[0] += math.log(k)
    return b


def fit_qlike(x, y):
    """Minimises QLIKE of exp(x b) against y (Gamma GLM with log link) by Newton's method from the OLS fit."""
    b = np.linalg.lstsq(x, np.log(y), rcond=None)[0]
    for _ in range(200):
        w = y * np.exp(-(x @ b))
        step = np.linalg.solve(x.T @ (x * w[:, None]), x.T @ (1 - w))
        b = b - step
        if np.max(np.abs(step)) < 1e-12:
            return b
    raise SystemExit('QLIKE fit did not converge')


def sha256_of(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def write_json(path, value):
    with open(path, 'w') as f:
        json.dump(value, f, indent=2)
        f.write('\n')
