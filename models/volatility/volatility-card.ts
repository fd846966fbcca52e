import { readFileSync } from 'node:fs';
import { ValidationError } from '../../pipeline/errors.ts';
import type { ForecastCard } from '../../pipeline/models/card-types.ts';
import { modelInputFields } from '../../pipeline/models/forecast-card.ts';
import type { DieboldMarianoResult } from './diebold-mariano.ts';
import type { VolatilityLosses } from './realised-volatility.ts';

// The card of a `volatility-forecast` model with its evaluation's own figures (baselines, Diebold-Mariano), read as
// JSON. The registry validates the common and forecast sections (pipeline/models); these checks are the few the
// evaluation relies on beyond them. `inputs` and `onnx` have the return models' shape: the predictor feeds both alike.

export const VOLATILITY_TASK = 'volatility-forecast';
export const baselineNames = ['persistence', 'ewma'] as const;
export type BaselineName = (typeof baselineNames)[number];

export type CardDieboldMariano = Omit<DieboldMarianoResult, 'count' | 'horizon'>;

export interface VolatilityMetrics {
  span: 'test';
  count: number;
  firstFeatureTime: string;
  lastFeatureTime: string;
  model: VolatilityLosses;
  baselines: Record<BaselineName, VolatilityLosses>;
  definitions: Record<string, string>;
  dieboldMariano: { definition: string; lag: number } & Record<
    BaselineName,
    { squaredError: CardDieboldMariano; qlike: CardDieboldMariano }
  >;
}

export interface VolatilityCard {
  name: string;
  version: string;
  task: typeof VOLATILITY_TASK;
  kind: string;
  description: string;
  symbol: string;
  timeframe: string;
  horizon: number;
  inputs: ForecastCard['inputs'];
  output: { name: string; meaning: string; units: string; horizon: string };
  onnx: ForecastCard['onnx'];
  data: ForecastCard['data'] & { zeroTargetsLeftOut: Record<'train' | 'validation' | 'test', number> };
  seed: number;
  training: Record<string, unknown>;
  metrics: VolatilityMetrics;
}

function fail(dir: string, problem: string): never {
  throw new ValidationError(`volatility card ${dir}/model.json: ${problem}`);
}

/** Reads `<dir>/model.json` of a volatility model, checking what feeding the model and evaluating it rely on. */
export function readVolatilityCard(dir: string): VolatilityCard {
  let card: VolatilityCard;
  try {
    card = JSON.parse(readFileSync(`${dir}/model.json`, 'utf8')) as VolatilityCard;
  } catch (err) {
    throw new ValidationError(`volatility card: cannot read ${dir}/model.json (${(err as Error).message})`);
  }
  if (card.task !== VOLATILITY_TASK) fail(dir, `task must be "${VOLATILITY_TASK}", got "${String(card.task)}"`);
  if (!Number.isInteger(card.horizon) || card.horizon < 1) fail(dir, 'horizon must be a positive integer');
  const { features, windowLength, mean, std } = card.inputs ?? {};
  if (!Array.isArray(features) || features.some((f) => !modelInputFields.includes(f)))
    fail(dir, 'inputs.features must name numeric FeatureVector fields');
  if (!features.includes('logReturn'))
    fail(dir, 'inputs.features must include logReturn (targets and baselines come from it)');
  if (!Number.isInteger(windowLength) || windowLength < card.horizon)
    fail(dir, 'inputs.windowLength must be an integer of at least the horizon');
  if (mean?.length !== features.length || std?.length !== features.length || std.some((s) => !(s > 0)))
    fail(dir, 'inputs.mean and inputs.std must give one number (std > 0) per feature');
  const shape = card.onnx?.inputShape ?? [];
  if (shape.length !== 3 || shape[0] !== -1 || shape[1] !== windowLength || shape[2] !== features.length)
    fail(dir, `onnx.inputShape must be [-1, ${windowLength}, ${features.length}]`);
  if (card.onnx.outputShape?.join(',') !== '-1,1') fail(dir, 'onnx.outputShape must be [-1, 1]');
  if (card.onnx.outputName !== card.output?.name) fail(dir, 'onnx.outputName must equal output.name');
  return card;
}
