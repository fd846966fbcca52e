"""Training of a HAR volatility model from a config (see models/har-vol-*/train.py): six pre-declared candidates
(three regressor sets x two fits) fitted on the train span, one chosen by validation QLIKE, the ONNX graph and
the card written, the test span used only for the card's numbers. No randomness is involved (closed-form least
squares and Newton's method); the seed is recorded for the card's common format only.
"""
import os
from datetime import datetime, timezone

import har
import volatility_training as v

FITS = {'ols-log': v.fit_ols_log, 'qlike': v.fit_qlike}


def iso(ms):
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ')


def candidates(scales):
    return {
        'returns': {'returnScales': scales, 'rangeScales': [], 'atrLevel': False},
        'returns+atr': {'returnScales': scales, 'rangeScales': [], 'atrLevel': True},
        'returns+ranges': {'returnScales': scales, 'rangeScales': scales, 'atrLevel': False},
    }


def prepared(c, start, cols, spec):
    fields = har.fields_of(spec)
    window = har.window_of(spec)
    mean, std = v.normalisation(start, cols, fields, c['spans'])
    values = v.served_values(cols, fields, mean, std)

    def span(name):
        idx = v.example_indexes(start, cols, fields, window, c['horizon'], name, c['spans'], c['stepMs'])
        idx, left_out[name] = v.without_zero_targets(cols, idx, c['horizon'])
        rv, baselines = v.targets_and_baselines(cols, idx, c['horizon'])
        return idx, har.design(spec, values, idx), rv, baselines

    left_out = {}

    return fields, window, mean, std, span, left_out


def train(c):
    """c: name, dir, featuresCsv, source, licence, symbol, timeframe, stepMs, spans, horizon, scales, seed."""
    H, tf = c['horizon'], c['timeframe']
    start, cols = v.load_features(c['featuresCsv'], ['logReturn', 'atr14', 'close'])
    specs = candidates(c['scales'])
    results, fitted = [], {}
    for spec_name, spec in specs.items():
        fields, window, mean, std, span, left_out = prepared(c, start, cols, spec)
        _, xtr, rvtr, _ = span('train')
        _, xva, rvva, _ = span('validation')
        for fit_name, fit in FITS.items():
            coef = fit(xtr, rvtr * rvtr)
            val = v.losses(rvva, har.forecast(xva, coef))
            results.append({'regressors': spec_name, 'fit': fit_name, 'validationQlike': val['qlike'],
                            'validationMse': val['mse']})
            fitted[(spec_name, fit_name)] = (coef, fields, window, mean, std, span, left_out, len(rvtr), len(rvva))
            print('%-15s %-8s validation qlike %.5f mse %.4e' % (spec_name, fit_name, val['qlike'], val['mse']))
    best = min(results, key=lambda r: r['validationQlike'])
    spec_name, fit_name = best['regressors'], best['fit']
    spec = specs[spec_name]
    coef, fields, window, mean, std, span, left_out, n_train, n_val = fitted[(spec_name, fit_name)]
    _, _, rvva, base_va = span('validation')
    validation_baselines = {k: v.losses(rvva, fc) for k, fc in base_va.items()}

    onnx_path = os.path.join(c['dir'], 'model.onnx')
    description = ('HAR forecast of the realised volatility of the next %d %s %s candles from the last %d '
                   'FeatureVector rows (%s)' % (H, c['symbol'], tf, window, ', '.join(fields)))
    har.onnx_graph(spec, mean, std, coef, onnx_path, description)

    idx, xte, rvte, base_te = span('test')
    model_fc = har.forecast(xte, coef)
    card = {
        'name': c['name'],
        'version': '1.0.0',
        'task': 'volatility-forecast',
        'kind': 'har',
        'description': description + '.',
        'licence': c['licence'],
        'symbol': c['symbol'],
        'timeframe': tf,
        'horizon': H,
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
                       'forecast' % (H, H),
            'units': 'log-return units over the whole horizon (a standard deviation of ln price; not annualised, '
                     'not in percent, not per candle)',
            'horizon': '%d candles of %s: from the close of the feature candle to the close of candle t+%d'
                       % (H, tf, H),
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
            'source': c['source'],
            'rule': 'an example belongs to a span when both its feature time and its target time (t + %d candles) '
                    'do; windows may read feature rows of the span before (inputs only, as in serving); examples '
                    'whose target RV is 0 (no trade in the next %d candles: an exchange outage) are left out, as ln '
                    'RV^2 and QLIKE are undefined there (data.zeroTargetsLeftOut); the test span was used for '
                    'nothing but these metrics' % (H, H),
            'zeroTargetsLeftOut': dict(left_out),
            'spans': {k: {'from': iso(a), 'to': iso(b)} for k, (a, b) in c['spans'].items()},
        },
        'seed': c['seed'],
        'training': {
            'target': 'ln RV^2 of the next %d candles' % H,
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
                             **{n: float(x) for n, x in zip(har.regressor_names(spec), coef[1:])}},
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
            'firstFeatureTime': iso(int(start[idx[0]])),
            'lastFeatureTime': iso(int(start[idx[-1]])),
            'model': v.losses(rvte, model_fc),
            'baselines': {k: v.losses(rvte, fc) for k, fc in base_te.items()},
            'definitions': {
                'mse': 'mean of (RV forecast - RV)^2, RV in log-return units',
                'qlike': 'mean of q - ln q - 1, q = RV^2 / RV forecast^2 (on variances; 0 for a perfect forecast)',
                'persistence': 'RV of the last %d candles: sqrt(sum over j = t-%d..t of logReturn_j^2)' % (H, H - 1),
                'ewma': 'RiskMetrics: s_j = 0.94 s_(j-1) + 0.06 logReturn_j^2 from s = logReturn^2 at the first '
                        'return of the series, forecast sqrt(%d s_t)' % H,
            },
            'dieboldMariano': {
                'definition': 'd_t = loss(model) - loss(baseline); Newey-West long-run variance (Bartlett weights '
                              '1 - k/%d, lags 1..%d, autocovariances over n); DM = mean(d) / sqrt(V / n); '
                              'Harvey-Leybourne-Newbold factor sqrt((n + 1 - 2h + h(h-1)/n) / n), h = %d; '
                              'two-sided p from Student t, n - 1 degrees of freedom; negative = model better'
                              % (H, H - 1, H),
                'lag': H - 1,
                **v.comparisons(rvte, model_fc, base_te, H),
            },
        },
    }
    v.write_json(os.path.join(c['dir'], 'model.json'), card)
    print('chosen', spec_name, fit_name)
    print('test', card['metrics']['model'], card['metrics']['baselines'])
    for b in base_te:
        dm = card['metrics']['dieboldMariano'][b]
        print(b, 'DM se %.3f p %.3g | qlike %.3f p %.3g' % (dm['squaredError']['hlnStatistic'],
              dm['squaredError']['pValue'], dm['qlike']['hlnStatistic'], dm['qlike']['pValue']))
    return card
