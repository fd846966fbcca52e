import Sentiment from 'sentiment';
import vader from 'vader-sentiment';
import type { SentimentLabel } from '../sentiment-data/sentiment-data.ts';

// The lexicon baselines of the model card, with their rules to three classes: AFINN (npm `sentiment`)
// comparative score (score / tokens) > 0 positive, < 0 negative, else neutral; VADER (npm `vader-sentiment`)
// compound >= 0.05 positive, <= -0.05 negative, else neutral (VADER's standard thresholds).
// Run as a script (`npx tsx models/sentiment-ngram/lexicon-baselines.ts < texts.json`) it prints both
// baselines' labels for a JSON array of texts: the Python training computes the card's baseline figures from them.

const afinn = new Sentiment();

export function afinnLabel(text: string): SentimentLabel {
  const c = afinn.analyze(text).comparative;
  return c > 0 ? 'positive' : c < 0 ? 'negative' : 'neutral';
}

export function vaderLabel(text: string): SentimentLabel {
  const c = vader.SentimentIntensityAnalyzer.polarity_scores(text).compound;
  return c >= 0.05 ? 'positive' : c <= -0.05 ? 'negative' : 'neutral';
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, '/'))) {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const texts = JSON.parse(Buffer.concat(chunks).toString('utf8')) as string[];
  process.stdout.write(JSON.stringify({ afinn: texts.map(afinnLabel), vader: texts.map(vaderLabel) }));
}
