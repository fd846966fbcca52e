import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { featureFields } from '../../stages/indicators/indicator-set.ts';
import { featureVectors, loadCandles } from './dataset.ts';

// `npx tsx models/dataset/build-features.ts`: writes build/features.csv, one row per candle with every feature
// (empty = null during warm-up), close and start, which the Python training scripts read. Targets, windows and
// spans are derived from it in the training code with the same rules as dataset.ts.

const out = fileURLToPath(new URL('./build/', import.meta.url));
mkdirSync(out, { recursive: true });
const candles = loadCandles();
const features = featureVectors(candles);
const header = ['start', 'close', ...featureFields];
const lines = [header.join(',')];
for (const f of features) {
  const row = f as unknown as Record<string, number | null>;
  lines.push(header.map((h) => (row[h] === null ? '' : String(row[h]))).join(','));
}
writeFileSync(`${out}features.csv`, lines.join('\n') + '\n');
process.stdout.write(`${features.length} feature rows -> ${out}features.csv\n`);
