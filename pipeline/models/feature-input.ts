import type { FeatureVector } from '../../schemas/types.ts';
import type { ForecastCard } from './card-types.ts';

// Turns FeatureVectors into the model's input rows exactly as the training code did: the card's features in
// order, (value - mean) / std in float64, then float32 when written into the input tensor.

/** The normalised row of one FeatureVector, or null when a feature the model reads is null (warm-up). */
export function normalisedRow(features: FeatureVector, card: ForecastCard): number[] | null {
  const { features: names, mean, std } = card.inputs;
  const row = new Array<number>(names.length);
  const values = features as unknown as Record<string, number | null>;
  for (let i = 0; i < names.length; i++) {
    const v = values[names[i]!];
    if (v === null || v === undefined || !Number.isFinite(v)) return null;
    row[i] = (v - mean[i]!) / std[i]!;
  }
  return row;
}

/** Writes a window of rows (oldest first) into `into` as example number `slot`. */
export function writeWindow(
  into: Float32Array,
  slot: number,
  window: readonly (readonly number[])[],
  featureCount: number,
): void {
  let at = slot * window.length * featureCount;
  for (const row of window) for (let f = 0; f < featureCount; f++) into[at++] = row[f]!;
}
