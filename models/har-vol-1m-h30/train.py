"""har-vol-1m-h30: HAR forecast of the realised volatility of the next 30 BTC/USDT 1m candles.

Run from the repository root: /usr/bin/python3 models/har-vol-1m-h30/train.py (after models/dataset/build-features.ts).
The candidates, the choice on validation and the card are models/volatility/har_training.py's.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)
sys.path.insert(0, MODELS)
sys.path.insert(0, os.path.join(MODELS, 'volatility'))
import har_training  # noqa: E402
import training as t  # noqa: E402

CONFIG = {
    'name': 'har-vol-1m-h30',
    'dir': HERE,
    'featuresCsv': t.FEATURES_CSV,
    'source': t.CANDLES_FILE,
    'licence': 'weights: MIT, as Candleflow; training data: Binance.US candles republished by '
               'cl8550-crypto/iaqf_analysis without a stated licence (see models/dataset/README.md)',
    'symbol': 'BTC/USDT',
    'timeframe': '1m',
    'stepMs': 60_000,
    'spans': t.SPANS,  # the bundled models' split, models/dataset/dataset.ts
    'horizon': 30,
    # 1 candle, 5, the horizon, 4 and 8 horizons: HAR's "day, week, month" cascade within a window of a few hours.
    'scales': [1, 5, 30, 120, 240],
    'seed': 7,
}

if __name__ == '__main__':
    har_training.train(CONFIG)
