import { Counter, Gauge, type Registry } from 'prom-client';
import type { RollingReport } from '../../market/forecast-metrics.ts';

// Prometheus view of the error monitor's rolling windows: the stage reports through plain callbacks
// (onRolling, onExpired) and this module turns them into gauges, so stages never touch prom-client.
// k8s/prometheus-rule.yaml alerts on these names.

type Labels = 'model' | 'symbol' | 'timeframe' | 'window';

export interface PredictionErrorMetrics {
  onRolling(report: RollingReport): void;
  onExpired(expired: { modelName: string; symbol: string; timeframe: string }): void;
}

export function createPredictionErrorMetrics(registry: Registry): PredictionErrorMetrics {
  const registers = [registry];
  const gauge = (name: string, help: string): Gauge<Labels> =>
    (registry.getSingleMetric(name) as Gauge<Labels> | undefined) ??
    new Gauge({ name, help, labelNames: ['model', 'symbol', 'timeframe', 'window'], registers });
  const mae = gauge(
    'cf_prediction_rolling_mae',
    "Rolling MAE of a model's log-return predictions over the last `window` matched predictions",
  );
  const rmse = gauge('cf_prediction_rolling_rmse', "Rolling RMSE of a model's log-return predictions");
  const direction = gauge(
    'cf_prediction_rolling_directional_accuracy',
    'Rolling share of predictions with the realised sign',
  );
  const baseMae = gauge(
    'cf_prediction_baseline_rolling_mae',
    'Rolling MAE of the naive no-change forecast on the same predictions',
  );
  const baseRmse = gauge(
    'cf_prediction_baseline_rolling_rmse',
    'Rolling RMSE of the naive no-change forecast on the same predictions',
  );
  const baseDirection = gauge(
    'cf_prediction_baseline_rolling_directional_accuracy',
    'Rolling directional accuracy of the naive no-change forecast',
  );
  const count = gauge('cf_prediction_rolling_count', 'Matched predictions in the window so far (at most `window`)');
  const expired =
    (registry.getSingleMetric('cf_predictions_expired_total') as
      Counter<'model' | 'symbol' | 'timeframe'> | undefined) ??
    new Counter({
      name: 'cf_predictions_expired_total',
      help: 'Predictions whose candle never came within the expiry',
      labelNames: ['model', 'symbol', 'timeframe'],
      registers,
    });
  return {
    onRolling(report) {
      for (const s of report.stats) {
        const labels = {
          model: report.modelName,
          symbol: report.symbol,
          timeframe: report.timeframe,
          window: String(s.window),
        };
        mae.set(labels, s.model.mae);
        rmse.set(labels, s.model.rmse);
        direction.set(labels, s.model.directionalAccuracy);
        baseMae.set(labels, s.baseline.mae);
        baseRmse.set(labels, s.baseline.rmse);
        baseDirection.set(labels, s.baseline.directionalAccuracy);
        count.set(labels, s.count);
      }
    },
    onExpired(e) {
      expired.inc({ model: e.modelName, symbol: e.symbol, timeframe: e.timeframe });
    },
  };
}
