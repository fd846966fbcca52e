// Model card types, apart from their validation so that the task modules and the card module share them without
// importing each other.

export const modelTasks = ['return-forecast', 'volatility-forecast', 'sentiment', 'chart-lines'] as const;
export type ModelTask = (typeof modelTasks)[number];

export type TensorType = 'float32' | 'int64';

export interface ModelCard {
  name: string;
  version: string;
  task: ModelTask;
  /** The model's architecture in a word or two (`linear`, `gru`, `har`, `unet`...). */
  kind: string;
  description: string;
  /** Licence of the weights or of the data they were trained on, when it binds users. */
  licence?: string;
  onnx: {
    file: string;
    opset: number;
    /** @defaultValue 'float32' */
    inputType?: TensorType;
    inputName: string;
    /** Models with several inputs list them all (the first is inputName); -1 past the batch axis: any length. */
    inputs?: { name: string; type: TensorType; shape: number[] }[];
    /** -1 first: the batch axis. */
    inputShape: number[];
    outputName: string;
    outputShape: number[];
    sha256: string;
  };
  data: {
    source: string;
    /** How a time split was made (with spans). */
    rule?: string;
    /** Time-series models: train < validation < test, ISO-8601. */
    spans?: Record<'train' | 'validation' | 'test', { from: string; to: string }>;
    /** Models of non-temporal data: how examples were split. */
    split?: { rule: string; counts: Record<'train' | 'validation' | 'test', number> };
  };
  seed: number;
  training: Record<string, unknown>;
  metrics: {
    span: 'test';
    count: number;
    model: MetricsRow;
    /** One naive baseline (older cards). */
    baseline?: MetricsRow;
    /** Naive baselines by name, measured on the same examples. */
    baselines?: Record<string, MetricsRow>;
    baselineDefinition?: string;
  };
}

/** Figures of one model or baseline: numbers, or numbers per class (a classifier's F1 per label). */
export type MetricsRow = Record<string, number | Record<string, number>>;

/** Cards of models that forecast a number from a window of FeatureVector rows of one series. */
export interface ForecastCard extends ModelCard {
  task: 'return-forecast' | 'volatility-forecast';
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
  /** A forecast's figures are plain numbers (validated per task in forecast-card.ts). */
  metrics: ModelCard['metrics'] & {
    model: Record<string, number>;
    baseline?: Record<string, number>;
    baselines?: Record<string, Record<string, number>>;
  };
}

export function isForecastCard(card: ModelCard): card is ForecastCard {
  return card.task === 'return-forecast' || card.task === 'volatility-forecast';
}
