import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { featureFields } from '../../stages/indicators/indicator-set.ts';
import type { Candle } from '../../pipeline/index.ts';
import { featureVectors, loadCandles } from './dataset.ts';
import { loadKrakenHourly } from './kraken-hourly.ts';

// `npx tsx models/dataset/build-features.ts`: writes build/features.csv (Binance.US BTC/USDT 1m) and
// build/kraken-1h-features.csv (Kraken BTC/USD 1h), one row per candle with every feature (empty = null during
// warm-up), close and start, which the Python training scripts read. Targets, windows and spans are derived from
// them in the training code with the same rules as dataset.ts.

const out = fileURLToPath(new URL('./build/', import.meta.url));
mkdirSync(out, { recursive: true });
const header = ['start', 'close', ...featureFields];

function write(name: string, candles: readonly Candle[]): void {
  const features = featureVectors(candles);
  const lines = [header.join(',')];
  for (const f of features) {
    const row = f as unknown as Record<string, number | null>;
    lines.push(header.map((h) => (row[h] === null ? '' : String(row[h]))).join(','));
  }
  writeFileSync(`${out}${name}`, lines.join('\n') + '\n');
  process.stdout.write(`${features.length} feature rows -> ${out}${name}\n`);
}

write('features.csv', loadCandles());
write('kraken-1h-features.csv', loadKrakenHourly());
