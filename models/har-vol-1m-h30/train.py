"""har-vol-1m-h30: HAR forecast of the realised volatility of the next 30 BTC/USDT 1m candles.

Run from the repository root: /usr/bin/python3 models/har-vol-1m-h30/train.py (after models/dataset/build-features.ts).
Six pre-declared candidates (three regressor sets x two fits) are fitted on the train span and one is chosen by
validation QLIKE; the test span only gives the card's numbers. No randomness is involved (closed-form least
squares and Newton's method); the seed is recorded for the card's common format only.
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)
sys.path.insert(0, MODELS)
sys.path.insert(0, os.path.join(MODELS, 'volatility'))
import har  # noqa: E402
import training as t  # noqa: E402
import volatility_training as v  # noqa: E402

NAME = 'har-vol-1m-h30'
SEED = 7
HORIZON = 30
STEP_MS = 60_000
# 1 candle, 5, the horizon, 4 and 8 horizons: HAR's "day, week, month" cascade within a window of a few hours.
SCALES = [1, 5, 30, 120, 240]
CANDIDATES = {
    'returns': {'returnScales': SCALES, 'rangeScales': [], 'atrLevel': False},
    'returns+atr': {'returnScales': SCALES, 'rangeScales': [], 'atrLevel': True},
    'returns+ranges': {'returnScales': SCALES, 'rangeScales': SCALES, 'atrLevel': False},
}
FITS = {'ols-log': v.fit_ols_log, 'qlike': v.fit_qlike}


def prepared(start, cols, spec):
    fields = har.fields_of(spec)
    window = har.window_of(spec)
    mean, std = v.normalisation(start, cols, fields, t.SPANS)
    values = v.served_values(cols, fields, mean, std)

    def span(name):
        idx = v.example_indexes(start, cols, fields, window, HORIZON, name, t.SPANS, STEP_MS)
        rv, baselines = v.targets_and_baselines(cols, idx, HORIZON)
        return idx, har.design(spec, values, idx), rv, baselines

    return fields, window, mean, std, span


def main():
    start, cols = v.load_features(t.FEATURES_CSV, ['logReturn', 'atr14', 'close'])
    results, fitted = [], {}
    for spec_name, spec in CANDIDATES.items():
        fields, window, mean, std, span = prepared(start, cols, spec)
        _, xtr, rvtr, _ = span('train')
        _, xva, rvva, base_va = span('validation')
        for fit_name, fit in FITS.items():
            coef = fit(xtr, rvtr * rvtr)
            val = v.losses(rvva, har.forecast(xva, coef))
            results.append({'regressors': spec_name, 'fit': fit_name, 'validationQlike': val['qlike'],
                            'validationMse': val['mse']})
            fitted[(spec_name, fit_name)] = (coef, fields, window, mean, std, span, len(rvtr), len(rvva))
            print('%-15s %-8s validation qlike %.5f mse %.4e' % (spec_name, fit_name, val['qlike'], val['mse']))
    best = min(results, key=lambda r: r['validationQlike'])
    spec_name, fit_name = best['regressors'], best['fit']
    spec = CANDIDATES[spec_name]
    coef, fields, window, mean, std, span, n_train, n_val = fitted[(spec_name, fit_name)]
    _, _, rvva, base_va = span('validation')
    validation_baselines = {k: v.losses(rvva, fc) for k, fc in base_va.items()}

    onnx_path = os.path.join(HERE, 'model.onnx')
    description = ('HAR forecast of the realised volatility of the next %d BTC/USDT 1m candles from the last %d '
                   'FeatureVector rows (%s)' % (HORIZON, window, ', '.join(fields)))
    har.onnx_graph(spec, mean, std, coef, onnx_path, description)

    idx, xte, rvte, base_te = span('test')
    model_fc = har.forecast(xte, coef)
    test_start, test_end = t.SPANS['test']
    card = {
        'name': NAME,
        'version': '1.0.0',
        'task': 'volatility-forecast',
        'kind': 'har',
        'description': description + '.',
        'licence': 'weights: MIT, as Candleflow; training data: Binance.US candles republished by '
                   'cl8550-crypto/iaqf_analysis without a stated licence (see models/dataset/README.md)',
        'symbol': 'BTC/USDT',
        'timeframe': '1m',
        'horizon': HORIZON,
        'inputs': {
            'features': fields,
            'windowLength': window,
            'mean': [float(x) for x in mean],
            'std': [float(x) for x in std],
            'normalisation': '(value - mean) / std per feature, constants from the train span only; '
                             'the graph undoes it in float64 before computing its regressors',
        },
        'output': {
            'name': v.OUTPUT_NAME,
            'meaning': 'forecast of RV = sqrt(sum over j = 1..%d of ln(close[t+j] / close[t+j-1])^2), the realised '
                       'volatility of the %d candles after the feature candle t; its square is the variance '
                       'forecast' % (HORIZON, HORIZON),
            'units': 'log-return units over the whole horizon (a standard deviation of ln price; not annualised, '
                     'not in percent, not per candle)',
            'horizon': '%d candles of 1m: from the close of the feature candle to the close of candle t+%d'
                       % (HORIZON, HORIZON),
        },
        'onnx': {
            'file': 'model.onnx',
            'opset': v.OPSET,
            'sha256': v.sha256_of(onnx_path),
            'inputName': v.INPUT_NAME,
            'inputShape': [-1, window, len(fields)],
            'outputName': v.OUTPUT_NAME,
            'outputShape': [-1, 1],
        },
        'data': {
            'source': t.CANDLES_FILE,
            'rule': 'an example belongs to a span when both its feature time and its target time (t + %d candles) '
                    'do; windows may read feature rows of the span before (inputs only, as in serving); the test '
                    'span was used for nothing but these metrics' % HORIZON,
            'spans': {k: {'from': t.iso(a), 'to': t.iso(b)} for k, (a, b) in t.SPANS.items()},
        },
        'seed': SEED,
        'training': {
            'target': 'ln RV^2 of the next %d candles' % HORIZON,
            'regressors': har.regressor_names(spec),
            'returnScales': spec['returnScales'],
            'rangeScales': spec['rangeScales'],
            'atrLevel': spec['atrLevel'],
            'logFloor': v.LOG_FLOOR,
            'fit': fit_name,
            'fitDefinitions': {
                'ols-log': 'least squares of ln RV^2, then the constant factor that minimises train QLIKE '
                           '(mean of RV^2 / exp(fit)) folded into the intercept',
                'qlike': 'QLIKE minimised directly on the train span (Gamma GLM, log link, Newton)',
            },
            'coefficients': {'intercept': float(coef[0]),
                             **{n: float(c) for n, c in zip(har.regressor_names(spec), coef[1:])}},
            'trainExamples': n_train,
            'validationExamples': n_val,
            'candidates': results,
            'validationBaselines': validation_baselines,
            'chosen': {'regressors': spec_name, 'fit': fit_name},
            'choice': 'candidate (regressor set x fit) with the lowest validation QLIKE',
        },
        'metrics': {
            'span': 'test',
            'count': int(len(idx)),
            'firstFeatureTime': t.iso(int(start[idx[0]])),
            'lastFeatureTime': t.iso(int(start[idx[-1]])),
            'model': v.losses(rvte, model_fc),
            'baselines': {k: v.losses(rvte, fc) for k, fc in base_te.items()},
            'definitions': {
                'mse': 'mean of (RV forecast - RV)^2, RV in log-return units',
                'qlike': 'mean of q - ln q - 1, q = RV^2 / RV forecast^2 (on variances; 0 for a perfect forecast)',
                'persistence': 'RV of the last %d candles: sqrt(sum over j = t-%d..t of logReturn_j^2)'
                               % (HORIZON, HORIZON - 1),
                'ewma': 'RiskMetrics: s_j = 0.94 s_(j-1) + 0.06 logReturn_j^2 from s = logReturn^2 at the first '
                        'return of the series, forecast sqrt(%d s_t)' % HORIZON,
            },
            'dieboldMariano': {
                'definition': 'd_t = loss(model) - loss(baseline); Newey-West long-run variance (Bartlett weights '
                              '1 - k/%d, lags 1..%d, autocovariances over n); DM = mean(d) / sqrt(V / n); '
                              'Harvey-Leybourne-Newbold factor sqrt((n + 1 - 2h + h(h-1)/n) / n), h = %d; '
                              'two-sided p from Student t, n - 1 degrees of freedom; negative = model better'
                              % (HORIZON, HORIZON - 1, HORIZON),
                'lag': HORIZON - 1,
                **v.comparisons(rvte, model_fc, base_te, HORIZON),
            },
        },
    }
    v.write_json(os.path.join(HERE, 'model.json'), card)
    print('chosen', spec_name, fit_name)
    print('test', card['metrics']['model'], card['metrics']['baselines'])
    for b in base_te:
        dm = card['metrics']['dieboldMariano'][b]
        print(b, 'DM se %.3f p %.3g | qlike %.3f p %.3g' % (dm['squaredError']['hlnStatistic'],
              dm['squaredError']['pValue'], dm['qlike']['hlnStatistic'], dm['qlike']['pValue']))


if __name__ == '__main__':
    main()
