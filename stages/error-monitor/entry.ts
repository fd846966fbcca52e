import { stageEntry, topics } from '../../pipeline/index.ts';
import { errorMonitorConfig } from './error-monitor-config.ts';
import { createPredictionErrorMetrics } from './prediction-error-metrics.ts';
import { createErrorMonitorStage } from './stage.ts';

export const errorMonitorEntry = stageEntry({
  name: 'error-monitor',
  inputs: [topics.predictions, topics.candles],
  outputs: [topics.predictionErrors],
  config: errorMonitorConfig,
  create: ({ config, metrics }) => createErrorMonitorStage({ config, ...createPredictionErrorMetrics(metrics) }).stage,
});
