import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import {
  featurizeBatch,
  parseFeaturizerConfig,
  type TextFeaturizerConfig,
} from '../../stages/sentiment/text-featurizer.ts';
import { sentimentLabels, type SentimentLabel } from '../sentiment-data/sentiment-data.ts';
import { classificationMetrics, type ClassificationMetrics } from './classification-metrics.ts';
import { afinnLabel, vaderLabel } from './lexicon-baselines.ts';

// Recomputes the card's figures in Node from the committed data: the TypeScript featurizer, model.onnx on
// onnxruntime-node, the npm lexicon baselines, and the metrics. The card test compares them with the card that
// the Python training wrote.

export interface SentimentModel {
  config: TextFeaturizerConfig;
  /** Probabilities [texts.length x 3] in the order negative, neutral, positive. */
  probabilities(texts: readonly string[]): Promise<Float32Array>;
  release(): Promise<void>;
}

export interface Figures {
  count: number;
  model: ClassificationMetrics;
  baselines: Record<'majority' | 'afinn' | 'vader', ClassificationMetrics>;
}

const BATCH = 128;

export async function openSentimentModel(
  dir: string,
  card: { featurizer: unknown; onnx: { file: string } },
): Promise<SentimentModel> {
  const config = parseFeaturizerConfig(card.featurizer);
  const session = await ort.InferenceSession.create(readFileSync(join(dir, card.onnx.file)), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  return {
    config,
    async probabilities(texts) {
      const out = new Float32Array(texts.length * 3);
      for (let from = 0; from < texts.length; from += BATCH) {
        const batch = featurizeBatch(texts.slice(from, from + BATCH), config);
        const result = await session.run({
          token_ids: new ort.Tensor('int64', batch.ids, [batch.count, batch.width]),
          token_weights: new ort.Tensor('float32', batch.weights, [batch.count, batch.width]),
        });
        out.set(result.probabilities!.data as Float32Array, from * 3);
      }
      return out;
    },
    release: () => session.release(),
  };
}

export function argmaxLabels(probabilities: Float32Array): SentimentLabel[] {
  const labels: SentimentLabel[] = [];
  for (let i = 0; i < probabilities.length; i += 3) {
    let best = 0;
    for (let k = 1; k < 3; k++) if (probabilities[i + k]! > probabilities[i + best]!) best = k;
    labels.push(sentimentLabels[best]!);
  }
  return labels;
}

export async function figures(
  model: SentimentModel,
  items: readonly { text: string; label: SentimentLabel }[],
  majority: SentimentLabel,
): Promise<Figures> {
  const texts = items.map((i) => i.text);
  const actual = items.map((i) => i.label);
  const predicted = argmaxLabels(await model.probabilities(texts));
  return {
    count: items.length,
    model: classificationMetrics(predicted, actual),
    baselines: {
      majority: classificationMetrics(
        actual.map(() => majority),
        actual,
      ),
      afinn: classificationMetrics(texts.map(afinnLabel), actual),
      vader: classificationMetrics(texts.map(vaderLabel), actual),
    },
  };
}

/** The most common label (first in label order on a tie), as the Python training picks it. */
export function mostCommon(labels: readonly SentimentLabel[]): SentimentLabel {
  const counts = sentimentLabels.map((l) => labels.filter((x) => x === l).length);
  return sentimentLabels[counts.indexOf(Math.max(...counts))]!;
}
