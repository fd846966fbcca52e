import { readFileSync } from 'node:fs';
import { ValidationError } from '../errors.ts';
import { fail, figures, num, numbers, obj, positiveInt, str, timeSpans, type Json } from './card-fields.ts';
import { validateForecastSection } from './forecast-card.ts';
import { modelTasks, type ModelCard, type ModelTask } from './card-types.ts';
import { validateChartLinesSection, validateSentimentSection } from './task-cards.ts';

// The model card (`model.json` beside `model.onnx`): what the model is for (its task), how to feed it, where it
// came from and how well it did on held-out data next to a naive baseline. Every card has the common fields
// below; each task adds its own section (forecast-card.ts, task-cards.ts). The registry keeps one active model
// per task, so the task is what a stage asks the registry for.

export { modelTasks, type ModelCard, type ModelTask, type TensorType } from './card-types.ts';

const taskSections: Record<ModelTask, (card: Json) => void> = {
  'return-forecast': (card) => validateForecastSection(card, ['mae', 'rmse', 'directionalAccuracy']),
  'volatility-forecast': (card) => validateForecastSection(card, ['mse', 'qlike']),
  sentiment: validateSentimentSection,
  'chart-lines': validateChartLinesSection,
};

/** Checks a parsed model.json and returns it typed; throws a ValidationError naming the first bad field. */
export function validateModelCard(value: unknown): ModelCard {
  const card = obj(value, 'card');
  // Cards written before tasks existed are return forecasts: the registry migrated them the same way.
  if (card.task === undefined && typeof card.inputs === 'object') card.task = 'return-forecast';
  str(card, 'name', '', /^[a-z0-9][a-z0-9._-]*$/);
  str(card, 'version', '', /^[0-9A-Za-z][0-9A-Za-z.+-]*$/);
  const task = str(card, 'task', '');
  if (!(modelTasks as readonly string[]).includes(task))
    fail('task', `must be one of ${modelTasks.join(', ')}, got "${task}"`);
  str(card, 'kind', '', /^[a-z][a-z0-9-]*$/);
  str(card, 'description', '');
  if (card.licence !== undefined) str(card, 'licence', '');

  const onnx = obj(card.onnx, 'onnx');
  str(onnx, 'file', 'onnx', /^[^/\\]+\.onnx$/);
  num(onnx, 'opset', 'onnx', (n) => Number.isInteger(n) && n >= 7, 'an integer opset >= 7');
  if (onnx.inputType !== undefined && onnx.inputType !== 'float32' && onnx.inputType !== 'int64') {
    fail('onnx.inputType', `must be "float32" or "int64", got "${String(onnx.inputType)}"`);
  }
  str(onnx, 'inputName', 'onnx');
  str(onnx, 'outputName', 'onnx');
  const sized = (shape: number[], variable: boolean) =>
    shape[0] === -1 && shape.length >= 2 && shape.slice(1).every((d) => positiveInt(d) || (variable && d === -1));
  const inputShape = numbers(onnx, 'inputShape', 'onnx');
  if (!sized(inputShape, true))
    fail('onnx.inputShape', `must be [-1 (batch), sizes or -1...], got [${inputShape.join(', ')}]`);
  const outputShape = numbers(onnx, 'outputShape', 'onnx');
  if (!sized(outputShape, false))
    fail('onnx.outputShape', `must be [-1 (batch), positive sizes...], got [${outputShape.join(', ')}]`);
  if (onnx.inputs !== undefined) {
    if (!Array.isArray(onnx.inputs) || onnx.inputs.length === 0) fail('onnx.inputs', 'must be a non-empty array');
    onnx.inputs.forEach((i: unknown, n: number) => {
      const input = obj(i, `onnx.inputs[${n}]`);
      str(input, 'name', `onnx.inputs[${n}]`);
      if (input.type !== 'float32' && input.type !== 'int64')
        fail(`onnx.inputs[${n}].type`, 'must be "float32" or "int64"');
      if (!sized(numbers(input, 'shape', `onnx.inputs[${n}]`), true))
        fail(`onnx.inputs[${n}].shape`, 'must be [-1 (batch), sizes or -1...]');
    });
    if ((onnx.inputs as { name: string }[])[0]!.name !== onnx.inputName)
      fail('onnx.inputs', 'must list inputName first');
  }
  str(onnx, 'sha256', 'onnx', /^[0-9a-f]{64}$/);

  const data = obj(card.data, 'data');
  str(data, 'source', 'data');
  // A time split says its rule beside the spans; a split of other data carries its own rule.
  if (data.spans !== undefined) str(data, 'rule', 'data');
  if (data.spans !== undefined) timeSpans(data.spans, 'data.spans');
  if (data.split !== undefined) {
    const split = obj(data.split, 'data.split');
    str(split, 'rule', 'data.split');
    const counts = obj(split.counts, 'data.split.counts');
    for (const s of ['train', 'validation', 'test'])
      num(counts, s, 'data.split.counts', positiveInt, 'a positive integer');
  }
  if (data.spans === undefined && data.split === undefined) fail('data', 'must give spans (time split) or split');

  num(card, 'seed', '', Number.isInteger, 'an integer');
  obj(card.training, 'training');
  const metrics = obj(card.metrics, 'metrics');
  if (metrics.span !== 'test') fail('metrics.span', 'must be "test" (held-out numbers only)');
  num(metrics, 'count', 'metrics', positiveInt, 'a positive integer');
  figures(metrics.model, 'metrics.model');
  if (metrics.baseline === undefined && metrics.baselines === undefined) {
    fail('metrics', 'must give the naive baseline (baseline or baselines) next to the model');
  }
  if (metrics.baseline !== undefined) figures(metrics.baseline, 'metrics.baseline');
  if (metrics.baselines !== undefined) {
    for (const [name, row] of Object.entries(obj(metrics.baselines, 'metrics.baselines'))) {
      figures(row, `metrics.baselines.${name}`);
    }
  }
  taskSections[task as ModelTask](card);
  return card as unknown as ModelCard;
}

/** Reads and validates `<dir>/model.json`. */
export function readModelCard(dir: string): ModelCard {
  let text: string;
  try {
    text = readFileSync(`${dir}/model.json`, 'utf8');
  } catch (err) {
    throw new ValidationError(`model card: cannot read ${dir}/model.json (${(err as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`model card: ${dir}/model.json is not JSON (${(err as Error).message})`);
  }
  return validateModelCard(parsed);
}
