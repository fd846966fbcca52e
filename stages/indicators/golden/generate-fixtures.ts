// Regenerates talib-expected.json.gz: TA-Lib's values of the 20 FeatureVector fields over the committed golden
// series. Needs the npm `talib` package (TA-Lib's C source, compiled on install): run bench/install-talib.sh
// first, then `npx tsx stages/indicators/golden/generate-fixtures.ts`.
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { loadGoldenSeries } from './candle-series.ts';
import { loadTalib, talibFeatureColumns } from './talib-reference.ts';

export const FIXTURE_FILE = new URL('./talib-expected.json.gz', import.meta.url);

const talib = await loadTalib();
if (!talib) {
  console.error('the npm package talib is not installed: run bench/install-talib.sh first');
  process.exit(1);
}
const candles = loadGoldenSeries();
const fields = talibFeatureColumns(talib, candles);
const fixture = {
  generatedBy: 'stages/indicators/golden/generate-fixtures.ts',
  talib: `npm talib@2.0.5 (TA-Lib C ${talib.version}), default compatibility, unstable periods 0`,
  input: 'binanceus_BTCUSDT_1m_first5000.csv.gz',
  candles: candles.length,
  fields,
};
writeFileSync(FIXTURE_FILE, gzipSync(JSON.stringify(fixture)));
console.log(`wrote ${FIXTURE_FILE.pathname}: ${candles.length} candles x ${Object.keys(fields).length} fields`);
