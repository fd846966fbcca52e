import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type * as Ort from 'onnxruntime-node';
import { ValidationError } from '../errors.ts';
import type { Logger } from '../log.ts';
import { isForecastCard, type ForecastCard, type ModelCard } from './card-types.ts';
import { readModelCard } from './model-card.ts';

// One loaded model: its card, an onnxruntime session on the chosen execution provider, and a batch call that
// takes rows already normalised and windowed. Only this module touches onnxruntime-node.

export type ExecutionProvider = 'cpu' | 'cuda';
export const executionProviders: readonly ExecutionProvider[] = ['cpu', 'cuda'];

export interface OnnxModel<C extends ModelCard = ModelCard> {
  readonly dir: string;
  readonly card: C;
  /** sha256 of the model.onnx bytes, checked against the card at load. */
  readonly sha256: string;
  /** The provider the session actually runs on (cpu after a cuda fallback). */
  readonly provider: ExecutionProvider;
  /** Input values per example: the product of the card's inputShape past the batch axis. */
  readonly exampleSize: number;
  /** Output values per example: the product of the card's outputShape past the batch axis. */
  readonly outputSize: number;
  /**
   * Runs `count` examples laid out back to back in `input` (count x exampleSize, of the card's inputType) and
   * returns their outputs back to back (count x outputSize).
   */
  runBatch(input: Float32Array | BigInt64Array, count: number): Promise<Float32Array>;
  /** Runs named inputs of any shape (models with several or variable-length inputs); returns the output's data. */
  run(feeds: Record<string, { data: Float32Array | BigInt64Array; dims: readonly number[] }>): Promise<Float32Array>;
  release(): Promise<void>;
}

export interface LoadOptions {
  provider?: ExecutionProvider;
  log?: Pick<Logger, 'warn' | 'info'>;
}

let runtime: Promise<typeof Ort> | undefined;

/**
 * onnxruntime, imported on the first model load (a command that loads no model does not pay its start-up).
 * Its native logger is set to fatal before the first session: a missing CUDA library is otherwise printed in red
 * on stderr, outside the JSON log, although the same failure also comes back as the exception we log once.
 * Every native error still reaches us that way.
 */
function onnxruntime(): Promise<typeof Ort> {
  return (runtime ??= import('onnxruntime-node').then((ort) => {
    ort.env.logLevel = 'fatal';
    return ort;
  }));
}

/** Set after the first failed CUDA session: later loads go straight to cpu, so the fallback is logged once. */
let cudaUnavailable = false;

export function sha256Of(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

async function createSession(
  bytes: Uint8Array,
  provider: ExecutionProvider,
  log: LoadOptions['log'],
): Promise<{ session: Ort.InferenceSession; provider: ExecutionProvider }> {
  const ort = await onnxruntime();
  const base: Ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  };
  if (provider === 'cuda' && !cudaUnavailable) {
    try {
      return {
        session: await ort.InferenceSession.create(bytes, { ...base, executionProviders: ['cuda'] }),
        provider: 'cuda',
      };
    } catch (err) {
      cudaUnavailable = true;
      log?.warn(
        { err: (err as Error).message.split('\n')[0] },
        'CUDA execution provider unavailable, running models on cpu',
      );
    }
  }
  return {
    session: await ort.InferenceSession.create(bytes, { ...base, executionProviders: ['cpu'] }),
    provider: 'cpu',
  };
}

function sameShape(actual: readonly number[], expected: readonly number[], batch: number): boolean {
  return actual.length === expected.length && actual.every((d, i) => d === (expected[i] === -1 ? batch : expected[i]));
}

/**
 * Loads `<dir>/model.json` and `<dir>/model.onnx`, refusing (ValidationError, one sentence) a card that does not
 * validate, a model whose sha256 differs from the card's, or whose input/output names and shapes differ from
 * the card (checked by a dry run of zero tensors of batch 1 and 3, so the batch axis must be dynamic).
 */
export async function loadOnnxModel(dirIn: string, options: LoadOptions = {}): Promise<OnnxModel> {
  const dir = resolve(dirIn);
  const card = readModelCard(dir);
  const file = join(dir, card.onnx.file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new ValidationError(`model ${card.name}@${card.version}: cannot read ${file} (${(err as Error).message})`);
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== card.onnx.sha256) {
    throw new ValidationError(
      `model ${card.name}@${card.version}: sha256 of ${card.onnx.file} is ${sha256}, but the card says ${card.onnx.sha256}`,
    );
  }
  let created: { session: Ort.InferenceSession; provider: ExecutionProvider };
  try {
    created = await createSession(bytes, options.provider ?? 'cpu', options.log);
  } catch (err) {
    throw new ValidationError(
      `model ${card.name}@${card.version}: onnxruntime cannot load ${card.onnx.file} (${(err as Error).message.split('\n')[0]})`,
    );
  }
  const { session, provider } = created;
  const ort = await onnxruntime();
  const fail = async (problem: string): Promise<never> => {
    await session.release();
    throw new ValidationError(`model ${card.name}@${card.version}: ${problem}`);
  };
  const inputs = card.onnx.inputs ?? [
    { name: card.onnx.inputName, type: card.onnx.inputType ?? 'float32', shape: card.onnx.inputShape },
  ];
  const expected = inputs.map((i) => i.name);
  if (session.inputNames.join(',') !== expected.join(',')) {
    await fail(`ONNX inputs are [${session.inputNames.join(', ')}], the card expects [${expected.join(', ')}]`);
  }
  if (session.outputNames.length !== 1 || session.outputNames[0] !== card.onnx.outputName) {
    await fail(`ONNX outputs are [${session.outputNames.join(', ')}], the card expects [${card.onnx.outputName}]`);
  }
  const inputDims = card.onnx.inputShape.slice(1);
  // Fixed-shape models take back-to-back examples (runBatch); variable-length inputs go through run() with dims.
  const exampleSize = inputDims.every((d) => d > 0) ? inputDims.reduce((a, b) => a * b, 1) : 0;
  const outputSize = card.onnx.outputShape.slice(1).reduce((a, b) => a * b, 1);
  const inputType = card.onnx.inputType ?? 'float32';
  const tensor = (data: Float32Array | BigInt64Array, count: number) =>
    new ort.Tensor(inputType, data, [count, ...inputDims]);
  for (const batch of [1, 3]) {
    // Zeros of every input, a variable axis given length 4: enough to prove names, types and output shape.
    const feeds: Record<string, Ort.Tensor> = {};
    for (const i of inputs) {
      const dims = i.shape.map((d, axis) => (axis === 0 ? batch : d === -1 ? 4 : d));
      const size = dims.reduce((x, y) => x * y, 1);
      feeds[i.name] = new ort.Tensor(
        i.type,
        i.type === 'int64' ? new BigInt64Array(size) : new Float32Array(size),
        dims,
      );
    }
    let out: Ort.Tensor | undefined;
    try {
      out = (await session.run(feeds))[card.onnx.outputName];
    } catch (err) {
      const shapes = inputs.map((i) => `${i.name} [${feeds[i.name]!.dims.join(', ')}]`).join(', ');
      await fail(
        `a dry run with ${shapes} (card inputShape ${JSON.stringify(card.onnx.inputShape)}) fails: ${(err as Error).message.split('\n')[0]}`,
      );
    }
    if (!out || out.type !== 'float32' || !sameShape(out.dims as number[], card.onnx.outputShape, batch)) {
      await fail(
        `a dry run of batch ${batch} gives output ${out ? `${out.type} [${out.dims.join(', ')}]` : 'nothing'}, the card expects float32 ${JSON.stringify(card.onnx.outputShape)}`,
      );
    }
  }
  options.log?.info({ model: `${card.name}@${card.version}`, sha256, provider }, 'model loaded');
  return {
    dir,
    card,
    sha256,
    provider,
    exampleSize,
    outputSize,
    async runBatch(input, count) {
      const data = input.length === count * exampleSize ? input : input.subarray(0, count * exampleSize);
      const result = await session.run({ [card.onnx.inputName]: tensor(data, count) });
      return result[card.onnx.outputName]!.data as Float32Array;
    },
    async run(feeds) {
      const tensors: Record<string, Ort.Tensor> = {};
      for (const i of inputs) {
        const feed = feeds[i.name];
        if (!feed) throw new ValidationError(`model ${card.name}@${card.version}: no input ${i.name}`);
        tensors[i.name] = new ort.Tensor(i.type, feed.data, feed.dims);
      }
      return (await session.run(tensors))[card.onnx.outputName]!.data as Float32Array;
    },
    release: () => session.release(),
  };
}

/** Loads a model that must be a forecast model (the predictor's tasks). */
export async function loadForecastModel(dir: string, options: LoadOptions = {}): Promise<OnnxModel<ForecastCard>> {
  const model = await loadOnnxModel(dir, options);
  if (!isForecastCard(model.card)) {
    await model.release();
    throw new ValidationError(
      `model ${model.card.name}@${model.card.version} is a ${model.card.task} model, not a forecast`,
    );
  }
  return model as OnnxModel<ForecastCard>;
}

/** The raw session of a model file, for benchmarks that compare the predictor against bare session.run. */
export async function rawSession(
  file: string,
): Promise<{ run(input: Float32Array, dims: number[]): Promise<Float32Array>; release(): Promise<void> }> {
  const ort = await onnxruntime();
  const session = await ort.InferenceSession.create(file, {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionProviders: ['cpu'],
  });
  const inputName = session.inputNames[0]!;
  const outputName = session.outputNames[0]!;
  return {
    async run(input, dims) {
      const result = await session.run({ [inputName]: new ort.Tensor('float32', input, dims) });
      return result[outputName]!.data as Float32Array;
    },
    release: () => session.release(),
  };
}
