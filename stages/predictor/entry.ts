import { stageEntry, topics } from '../../pipeline/index.ts';
import { predictorConfig } from './predictor-config.ts';
import { createPredictorStage } from './stage.ts';

export const predictorEntry = stageEntry({
  name: 'predictor',
  inputs: [topics.features],
  outputs: [topics.predictions],
  config: predictorConfig,
  async create({ config, services, log, onClose }) {
    const predictor = createPredictorStage({ registry: await services.models(), config, log });
    onClose(() => predictor.close());
    return predictor.stage;
  },
});
