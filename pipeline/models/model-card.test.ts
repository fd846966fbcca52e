import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.ts';
import { validateModelCard } from './model-card.ts';

const bundled = JSON.parse(readFileSync(new URL('../../models/gru-h5/model.json', import.meta.url), 'utf8')) as Record<
  string,
  any
>;

function broken(edit: (c: Record<string, any>) => void): unknown {
  const card = structuredClone(bundled);
  edit(card);
  try {
    validateModelCard(card);
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as Error).message;
  }
  return 'accepted';
}

describe('validateModelCard', () => {
  it('accepts the bundled card', () => {
    expect(validateModelCard(structuredClone(bundled)).name).toBe('gru-h5');
  });

  it.each([
    [
      'task',
      (c: any) => (c.task = 'horoscope'),
      'model card: task must be one of return-forecast, volatility-forecast, sentiment, chart-lines, got "horoscope"',
    ],
    ['kind', (c: any) => (c.kind = 'Big Model'), 'model card: kind must match /^[a-z][a-z0-9-]*$/, got "Big Model"'],
    [
      'baseline',
      (c: any) => delete c.metrics.baseline,
      'model card: metrics must give the naive baseline (baseline or baselines) next to the model',
    ],
    [
      'timeframe',
      (c: any) => (c.timeframe = '2m'),
      'model card: timeframe must be one of 1m, 5m, 15m, 1h, 4h, 1d, got "2m"',
    ],
    ['std', (c: any) => (c.inputs.std[3] = 0), 'model card: inputs.std must hold only positive numbers'],
    ['mean length', (c: any) => c.inputs.mean.pop(), 'model card: inputs.mean must be an array of 9 numbers'],
    [
      'repeated feature',
      (c: any) => (c.inputs.features[1] = c.inputs.features[0]),
      'model card: inputs.features must not repeat a field',
    ],
    ['sha256', (c: any) => (c.onnx.sha256 = 'abc'), 'model card: onnx.sha256 must match /^[0-9a-f]{64}$/, got "abc"'],
    [
      'output shape',
      (c: any) => (c.onnx.outputShape = [-1, 2]),
      'model card: onnx.outputShape must be [-1, 1], got [-1, 2]',
    ],
    [
      'span order',
      (c: any) => (c.data.spans.test.from = c.data.spans.train.from),
      'model card: data.spans must be in time order train < validation < test without overlap',
    ],
    [
      'metrics span',
      (c: any) => (c.metrics.span = 'validation'),
      'model card: metrics.span must be "test" (held-out numbers only)',
    ],
    [
      'accuracy range',
      (c: any) => (c.metrics.baseline.directionalAccuracy = 1.5),
      'model card: metrics.baseline.directionalAccuracy must be a number in [0, 1], got 1.5',
    ],
  ])('refuses a bad %s, naming the field', (_what, edit, message) => {
    expect(broken(edit)).toBe(message);
  });
});

describe('validateModelCard on a classifier card', () => {
  const sentiment = JSON.parse(
    readFileSync(new URL('../../models/sentiment-ngram/model.json', import.meta.url), 'utf8'),
  ) as Record<string, any>;

  it('accepts figures per class, and names a per-class figure that is not a number', () => {
    expect(validateModelCard(structuredClone(sentiment)).name).toBe('sentiment-ngram');
    const card = structuredClone(sentiment);
    card.metrics.model.f1.neutral = 'high';
    expect(() => validateModelCard(card)).toThrow('model card: metrics.model.f1.neutral must be a finite number');
  });
});
