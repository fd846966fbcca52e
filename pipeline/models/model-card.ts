import { readFileSync } from 'node:fs';
import { avroSchemas } from '../../schemas/records.ts';
import { timeframes } from '../../schemas/timeframes.ts';
import { ValidationError } from '../errors.ts';

// The model card (`model.json` beside `model.onnx`): everything the predictor needs to feed a model and to say
// what its output means, plus where it came from and how well it did on held-out data. Validation errors are one
// sentence naming the field, because they are what `candleflow models register` shows.

export type ModelKind = 'linear' | 'gru';

export interface ModelMetrics {
  mae: number;
  rmse: number;
  directionalAccuracy: number;
}

export interface ModelCard {
  name: string;
  version: string;
  kind: ModelKind;
  description: string;
  symbol: string;
  timeframe: string;
  /** Horizon in candles of the timeframe. */
  horizon: number;
  inputs: {
    /** FeatureVector fields, in the order of the input tensor's last axis. */
    features: string[];
    /** Feature rows per example (1 for a model of the last row only). */
    windowLength: number;
    mean: number[];
    std: number[];
    normalisation: string;
  };
  output: { name: string; meaning: string };
  onnx: {
    file: string;
    opset: number;
    inputName: string;
    /** [-1 (batch), windowLength, features.length] */
    inputShape: number[];
    outputName: string;
    /** [-1 (batch), 1] */
    outputShape: number[];
    sha256: string;
  };
  data: { source: string; spans: Record<'train' | 'validation' | 'test', { from: string; to: string }>; rule: string };
  seed: number;
  training: Record<string, unknown>;
  metrics: { span: string; count: number; model: ModelMetrics; baseline: ModelMetrics; baselineDefinition: string };
}

type Json = Record<string, unknown>;

/** FeatureVector fields a model may read: the numeric (double) ones of the Avro schema, nullable or not. */
export const modelInputFields: readonly string[] = avroSchemas.FeatureVector.fields
  .filter((f) => f.type === 'double' || (Array.isArray(f.type) && f.type.includes('double')))
  .map((f) => f.name);

function fail(field: string, problem: string): never {
  throw new ValidationError(`model card: ${field} ${problem}`);
}

function obj(v: unknown, field: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(field, 'must be an object');
  return v as Json;
}

function str(o: Json, key: string, field: string, pattern?: RegExp): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') fail(`${field}.${key}`.replace(/^\./, ''), 'must be a non-empty string');
  if (pattern && !pattern.test(v)) fail(`${field}.${key}`.replace(/^\./, ''), `must match ${pattern}, got "${v}"`);
  return v;
}

function num(o: Json, key: string, field: string, check?: (n: number) => boolean, what = 'a number'): number {
  const v = o[key];
  const name = `${field}.${key}`.replace(/^\./, '');
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(name, `must be ${what}`);
  if (check && !check(v)) fail(name, `must be ${what}, got ${v}`);
  return v;
}

function numbers(o: Json, key: string, field: string, length: number): number[] {
  const v = o[key];
  const name = `${field}.${key}`;
  if (!Array.isArray(v) || v.length !== length) fail(name, `must be an array of ${length} numbers`);
  for (const x of v) if (typeof x !== 'number' || !Number.isFinite(x)) fail(name, 'must hold only finite numbers');
  return v as number[];
}

function metricsOf(v: unknown, field: string): ModelMetrics {
  const o = obj(v, field);
  return {
    mae: num(o, 'mae', field, (n) => n >= 0, 'a non-negative number'),
    rmse: num(o, 'rmse', field, (n) => n >= 0, 'a non-negative number'),
    directionalAccuracy: num(o, 'directionalAccuracy', field, (n) => n >= 0 && n <= 1, 'a number in [0, 1]'),
  };
}

/** Checks a parsed model.json and returns it typed; throws a ValidationError naming the first bad field. */
export function validateModelCard(value: unknown): ModelCard {
  const card = obj(value, 'card');
  str(card, 'name', '', /^[a-z0-9][a-z0-9._-]*$/);
  str(card, 'version', '', /^[0-9A-Za-z][0-9A-Za-z.+-]*$/);
  const kind = str(card, 'kind', '');
  if (kind !== 'linear' && kind !== 'gru') fail('kind', `must be "linear" or "gru", got "${kind}"`);
  str(card, 'description', '');
  str(card, 'symbol', '');
  const timeframe = str(card, 'timeframe', '');
  if (!(timeframes as readonly string[]).includes(timeframe))
    fail('timeframe', `must be one of ${timeframes.join(', ')}, got "${timeframe}"`);
  num(card, 'horizon', '', (n) => Number.isInteger(n) && n >= 1, 'a positive integer');

  const inputs = obj(card.inputs, 'inputs');
  const features = inputs.features;
  if (!Array.isArray(features) || features.length === 0)
    fail('inputs.features', 'must be a non-empty array of FeatureVector field names');
  for (const f of features) {
    if (typeof f !== 'string' || !modelInputFields.includes(f))
      fail('inputs.features', `names "${String(f)}", which is not a numeric FeatureVector field`);
  }
  if (new Set(features).size !== features.length) fail('inputs.features', 'must not repeat a field');
  const windowLength = num(
    inputs,
    'windowLength',
    'inputs',
    (n) => Number.isInteger(n) && n >= 1,
    'a positive integer',
  );
  numbers(inputs, 'mean', 'inputs', features.length);
  const std = numbers(inputs, 'std', 'inputs', features.length);
  if (std.some((s) => s <= 0)) fail('inputs.std', 'must hold only positive numbers');
  str(inputs, 'normalisation', 'inputs');

  const output = obj(card.output, 'output');
  str(output, 'name', 'output');
  str(output, 'meaning', 'output');

  const onnx = obj(card.onnx, 'onnx');
  str(onnx, 'file', 'onnx', /^[^/\\]+\.onnx$/);
  num(onnx, 'opset', 'onnx', (n) => Number.isInteger(n) && n >= 7, 'an integer opset >= 7');
  str(onnx, 'inputName', 'onnx');
  str(onnx, 'outputName', 'onnx');
  if (onnx.outputName !== output.name) fail('onnx.outputName', `must equal output.name ("${String(output.name)}")`);
  const inShape = numbers(onnx, 'inputShape', 'onnx', 3);
  const expectIn = [-1, windowLength, features.length];
  if (inShape.some((d, i) => d !== expectIn[i]))
    fail(
      'onnx.inputShape',
      `must be [${expectIn.join(', ')}] (batch, windowLength, features), got [${inShape.join(', ')}]`,
    );
  const outShape = numbers(onnx, 'outputShape', 'onnx', 2);
  if (outShape[0] !== -1 || outShape[1] !== 1)
    fail('onnx.outputShape', `must be [-1, 1], got [${outShape.join(', ')}]`);
  str(onnx, 'sha256', 'onnx', /^[0-9a-f]{64}$/);

  const data = obj(card.data, 'data');
  str(data, 'source', 'data');
  const spans = obj(data.spans, 'data.spans');
  for (const s of ['train', 'validation', 'test']) {
    const span = obj(spans[s], `data.spans.${s}`);
    const from = Date.parse(str(span, 'from', `data.spans.${s}`));
    const to = Date.parse(str(span, 'to', `data.spans.${s}`));
    if (!(from < to)) fail(`data.spans.${s}`, 'must have from < to (ISO-8601 times)');
  }
  const order = ['train', 'validation', 'test'].map((s) => obj(spans[s], s));
  for (let i = 1; i < order.length; i++) {
    if (Date.parse(String(order[i]!.from)) < Date.parse(String(order[i - 1]!.to)))
      fail('data.spans', 'must be in time order train < validation < test without overlap');
  }
  num(card, 'seed', '', Number.isInteger, 'an integer');
  obj(card.training, 'training');
  const metrics = obj(card.metrics, 'metrics');
  if (metrics.span !== 'test') fail('metrics.span', 'must be "test" (held-out numbers only)');
  num(metrics, 'count', 'metrics', (n) => Number.isInteger(n) && n > 0, 'a positive integer');
  metricsOf(metrics.model, 'metrics.model');
  metricsOf(metrics.baseline, 'metrics.baseline');
  str(metrics, 'baselineDefinition', 'metrics');
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
