import { loadOnnxModel, ValidationError, type ExecutionProvider, type StageLogger } from '../../pipeline/index.ts';
import { featurizeBatch, parseFeaturizerConfig, type TextFeaturizerConfig } from './text-featurizer.ts';

// The sentiment model as the stage uses it: texts in, three probabilities per text out (negative, neutral,
// positive, the card's label order), one onnxruntime call per chunk of at most `batchMax` texts. A chunk is
// padded only to its own longest text, so one long body does not widen every batch of the stream.

export interface SentimentClassifier {
  readonly name: string;
  readonly version: string;
  /** Probabilities back to back, 3 per text. */
  classify(texts: readonly string[]): Promise<Float32Array>;
  close(): Promise<void>;
}

export const sentimentLabels = ['negative', 'neutral', 'positive'] as const;

export async function loadSentimentClassifier(
  dir: string,
  options: { batchMax: number; provider?: ExecutionProvider; log?: StageLogger },
): Promise<SentimentClassifier> {
  const model = await loadOnnxModel(dir, { provider: options.provider ?? 'cpu', log: options.log });
  const { card } = model;
  let featurizer: TextFeaturizerConfig;
  try {
    if (card.task !== 'sentiment') throw new ValidationError(`it is a ${card.task} model, not a sentiment one`);
    featurizer = parseFeaturizerConfig((card as unknown as { featurizer: unknown }).featurizer);
  } catch (err) {
    await model.release();
    throw new ValidationError(`model ${card.name}@${card.version}: ${(err as Error).message}`);
  }
  const [idsInput, weightsInput] = card.onnx.inputs?.map((i) => i.name) ?? [];
  if (!idsInput || !weightsInput) {
    await model.release();
    throw new ValidationError(`model ${card.name}@${card.version}: the card must list two inputs (ids, weights)`);
  }
  return {
    name: card.name,
    version: card.version,
    async classify(texts) {
      const out = new Float32Array(texts.length * 3);
      for (let from = 0; from < texts.length; from += options.batchMax) {
        const batch = featurizeBatch(texts.slice(from, from + options.batchMax), featurizer);
        const dims = [batch.count, batch.width];
        const probabilities = await model.run({
          [idsInput]: { data: batch.ids, dims },
          [weightsInput]: { data: batch.weights, dims },
        });
        out.set(probabilities.subarray(0, batch.count * 3), from * 3);
      }
      return out;
    },
    close: () => model.release(),
  };
}
