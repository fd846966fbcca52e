"""har-vol-1h-h24: HAR forecast of the realised volatility of the next 24 Kraken BTC/USD 1h candles (one day).

Run from the repository root: /usr/bin/python3 models/har-vol-1h-h24/train.py (after models/dataset/build-features.ts).
The candidates, the choice on validation and the card are models/volatility/har_training.py's.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(MODELS, 'volatility'))
import har_training  # noqa: E402

# [from, to) by feature time, epoch ms; identical to krakenHourlySpans in models/dataset/kraken-hourly.ts
SPANS = {
    'train': (1451606400000, 1546300800000),       # 2016-01-01 .. 2019-01-01
    'validation': (1546300800000, 1577836800000),  # 2019-01-01 .. 2020-01-01
    'test': (1577836800000, 1601510400000),        # 2020-01-01 .. 2020-10-01
}

CONFIG = {
    'name': 'har-vol-1h-h24',
    'dir': HERE,
    'featuresCsv': os.path.join(MODELS, 'dataset', 'build', 'kraken-1h-features.csv'),
    'source': 'models/dataset/kraken_XBTUSD_60m_20160101_20200930.csv.gz',
    'licence': 'weights: MIT, as Candleflow; training data: Kraken OHLCVT republished by aironav/bitcoin without a '
               'stated licence (see models/dataset/README.md)',
    'symbol': 'BTC/USD',
    'timeframe': '1h',
    'stepMs': 3_600_000,
    'spans': SPANS,
    'horizon': 24,
    # As the 1m model: 1 candle, 5, the horizon, 4 and 8 horizons (here up to 8 days).
    'scales': [1, 5, 24, 96, 192],
    'seed': 7,
}

if __name__ == '__main__':
    har_training.train(CONFIG)
