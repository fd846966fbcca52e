import { describe, expect, it } from 'vitest';
import { createRegistry } from '../../pipeline/metrics/stage-metrics.ts';
import { createPredictionErrorMetrics } from './prediction-error-metrics.ts';

describe('prediction error metrics', () => {
  it('exposes a rolling report and expiries as labelled gauges and a counter', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    const m = createPredictionErrorMetrics(registry);
    m.onRolling({
      modelName: 'gru-h5',
      symbol: 'BTC/USDT',
      timeframe: '1m',
      expired: 0,
      stats: [
        {
          window: 50,
          count: 3,
          model: { mae: 0.02, rmse: 0.03, directionalAccuracy: 0.5 },
          baseline: { mae: 0.01, rmse: 0.02, directionalAccuracy: 0 },
        },
      ],
    });
    m.onExpired({ modelName: 'gru-h5', symbol: 'BTC/USDT', timeframe: '1m' });
    const text = await registry.metrics();
    expect(text).toContain(
      'cf_prediction_rolling_mae{model="gru-h5",symbol="BTC/USDT",timeframe="1m",window="50"} 0.02',
    );
    expect(text).toContain(
      'cf_prediction_baseline_rolling_mae{model="gru-h5",symbol="BTC/USDT",timeframe="1m",window="50"} 0.01',
    );
    expect(text).toContain(
      'cf_prediction_rolling_count{model="gru-h5",symbol="BTC/USDT",timeframe="1m",window="50"} 3',
    );
    expect(text).toContain('cf_predictions_expired_total{model="gru-h5",symbol="BTC/USDT",timeframe="1m"} 1');
    // A second instance on the same registry reuses the metrics instead of throwing.
    expect(() => createPredictionErrorMetrics(registry)).not.toThrow();
  });
});

describe('k8s/prometheus-rule.yaml', () => {
  it('alerts only on metric names this module exports, with a sustained model-vs-baseline MAE rule', async () => {
    const { readFileSync } = await import('node:fs');
    const rule = readFileSync(new URL('../../k8s/prometheus-rule.yaml', import.meta.url), 'utf8');
    const registry = createRegistry({ defaultMetrics: false });
    createPredictionErrorMetrics(registry);
    const exported = new Set(registry.getMetricsAsArray().map((m) => m.name));
    const used = [...rule.matchAll(/\b(cf_[a-z_]+)\b/g)].map((m) => m[1]!);
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect(exported, name).toContain(name);
    expect(rule).toMatch(
      /cf_prediction_rolling_mae\)\s*\n\s*> max by \(model, symbol, timeframe, window\) \(cf_prediction_baseline_rolling_mae\)/,
    );
    expect(rule).toMatch(/for: 30m/);
  });
});
