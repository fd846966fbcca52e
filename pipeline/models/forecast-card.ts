import { avroSchemas } from '../../schemas/records.ts';
import { timeframes } from '../../schemas/timeframes.ts';
import { fail, num, numbers, obj, positiveInt, str, type Json } from './card-fields.ts';

// The section of forecast cards (return and volatility forecasts): which FeatureVector fields, how many rows,
// the normalisation constants, what the output means; the predictor feeds such a model from the features topic.

/** FeatureVector fields a model may read: the numeric (double) ones of the Avro schema, nullable or not. */
export const modelInputFields: readonly string[] = avroSchemas.FeatureVector.fields
  .filter((f) => f.type === 'double' || (Array.isArray(f.type) && f.type.includes('double')))
  .map((f) => f.name);

export function validateForecastSection(card: Json, metricNames: readonly string[]): void {
  str(card, 'symbol', '');
  const timeframe = str(card, 'timeframe', '');
  if (!(timeframes as readonly string[]).includes(timeframe)) {
    fail('timeframe', `must be one of ${timeframes.join(', ')}, got "${timeframe}"`);
  }
  num(card, 'horizon', '', positiveInt, 'a positive integer');

  const inputs = obj(card.inputs, 'inputs');
  const features = inputs.features;
  if (!Array.isArray(features) || features.length === 0) {
    fail('inputs.features', 'must be a non-empty array of FeatureVector field names');
  }
  for (const f of features) {
    if (typeof f !== 'string' || !modelInputFields.includes(f)) {
      fail('inputs.features', `names "${String(f)}", which is not a numeric FeatureVector field`);
    }
  }
  if (new Set(features).size !== features.length) fail('inputs.features', 'must not repeat a field');
  const windowLength = num(inputs, 'windowLength', 'inputs', positiveInt, 'a positive integer');
  numbers(inputs, 'mean', 'inputs', features.length);
  const std = numbers(inputs, 'std', 'inputs', features.length);
  if (std.some((s) => s <= 0)) fail('inputs.std', 'must hold only positive numbers');
  str(inputs, 'normalisation', 'inputs');

  const output = obj(card.output, 'output');
  str(output, 'name', 'output');
  str(output, 'meaning', 'output');

  const onnx = obj(card.onnx, 'onnx');
  if (onnx.outputName !== output.name) fail('onnx.outputName', `must equal output.name ("${String(output.name)}")`);
  const inShape = onnx.inputShape as number[];
  const expectIn = [-1, windowLength, features.length];
  if (inShape.length !== 3 || inShape.some((d, i) => d !== expectIn[i])) {
    fail(
      'onnx.inputShape',
      `must be [${expectIn.join(', ')}] (batch, windowLength, features), got [${inShape.join(', ')}]`,
    );
  }
  const outShape = onnx.outputShape as number[];
  if (outShape.length !== 2 || outShape[1] !== 1)
    fail('onnx.outputShape', `must be [-1, 1], got [${outShape.join(', ')}]`);
  if ((onnx.inputType ?? 'float32') !== 'float32') fail('onnx.inputType', 'must be float32 for a forecast model');

  const data = obj(card.data, 'data');
  if (data.spans === undefined) fail('data.spans', 'must give the time split of a forecast model');
  const metrics = obj(card.metrics, 'metrics');
  const rows: [string, unknown][] = [['metrics.model', metrics.model]];
  if (metrics.baseline !== undefined) rows.push(['metrics.baseline', metrics.baseline]);
  for (const [name, row] of Object.entries((metrics.baselines ?? {}) as Json))
    rows.push([`metrics.baselines.${name}`, row]);
  for (const [field, row] of rows) {
    for (const m of metricNames) {
      const o = obj(row, field);
      if (m === 'directionalAccuracy') num(o, m, field, (n) => n >= 0 && n <= 1, 'a number in [0, 1]');
      else num(o, m, field, (n) => n >= 0, 'a non-negative number');
    }
  }
}
