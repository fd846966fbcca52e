import { fail, num, obj, positiveInt, str, type Json } from './card-fields.ts';

// The sections of image and text model cards: what the stage serving them needs to build the input tensor.

/** Sentiment: a `featurizer` section the TypeScript featurizer reads; three class probabilities out. */
export function validateSentimentSection(card: Json): void {
  const featurizer = obj(card.featurizer, 'featurizer');
  str(featurizer, 'name', 'featurizer');
  const onnx = obj(card.onnx, 'onnx');
  const out = onnx.outputShape as number[];
  if (out.length !== 2 || out[1] !== 3)
    fail('onnx.outputShape', `must be [-1, 3] (negative, neutral, positive), got [${out.join(', ')}]`);
  const labels = card.labels;
  if (!Array.isArray(labels) || labels.join(',') !== 'negative,neutral,positive') {
    fail('labels', 'must be ["negative", "neutral", "positive"], the order of the output');
  }
}

/** Chart lines: an `image` section (size, channels, candles per image); a mask per image out. */
export function validateChartLinesSection(card: Json): void {
  const image = obj(card.image, 'image');
  const width = num(image, 'width', 'image', positiveInt, 'a positive integer');
  const height = num(image, 'height', 'image', positiveInt, 'a positive integer');
  const channels = num(image, 'channels', 'image', positiveInt, 'a positive integer');
  num(image, 'candles', 'image', positiveInt, 'a positive integer');
  const onnx = obj(card.onnx, 'onnx');
  const inShape = onnx.inputShape as number[];
  if (inShape.join(',') !== [-1, channels, height, width].join(',')) {
    fail('onnx.inputShape', `must be [-1, ${channels}, ${height}, ${width}] (batch, channels, height, width)`);
  }
  const out = onnx.outputShape as number[];
  if (out.join(',') !== [-1, 1, height, width].join(','))
    fail('onnx.outputShape', `must be [-1, 1, ${height}, ${width}]`);
  obj(card.postprocessing, 'postprocessing');
}
