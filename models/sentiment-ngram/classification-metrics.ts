import { sentimentLabels, type SentimentLabel } from '../sentiment-data/sentiment-data.ts';

// Accuracy, macro-F1 and per-class F1 of three-class predictions, as the Python training computes them
// (a class never predicted nor present has F1 0).

export interface ClassificationMetrics {
  accuracy: number;
  macroF1: number;
  f1: Record<SentimentLabel, number>;
}

export function classificationMetrics(
  predicted: readonly SentimentLabel[],
  actual: readonly SentimentLabel[],
): ClassificationMetrics {
  if (predicted.length !== actual.length || actual.length === 0)
    throw new RangeError(`${predicted.length} predictions for ${actual.length} labels`);
  const correct = predicted.filter((p, i) => p === actual[i]).length;
  const f1 = {} as Record<SentimentLabel, number>;
  for (const c of sentimentLabels) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    predicted.forEach((p, i) => {
      if (p === c && actual[i] === c) tp++;
      else if (p === c) fp++;
      else if (actual[i] === c) fn++;
    });
    f1[c] = tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  }
  const macroF1 = (f1.negative + f1.neutral + f1.positive) / 3;
  return { accuracy: correct / actual.length, macroF1, f1 };
}
