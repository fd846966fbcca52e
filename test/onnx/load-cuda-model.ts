import { fileURLToPath } from 'node:url';
import { createLogger } from '../../pipeline/log.ts';
import { loadOnnxModel } from '../../pipeline/models/onnx-model.ts';

// Loads the bundled ridge model asking for CUDA, with the pipeline's JSON logger on stdout: what a worker with
// MODEL_EXECUTION_PROVIDER=cuda does at start. The test reads both streams.
const log = createLogger({ level: 'info' });
const model = await loadOnnxModel(fileURLToPath(new URL('../../models/ridge-h5/', import.meta.url)), {
  provider: 'cuda',
  log,
});
log.info({ provider: model.provider }, 'script done');
await model.release();
