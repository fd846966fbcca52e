import { loadGoldenSeries } from '../stages/indicators/golden/candle-series.ts';
import { applyCandle, initialIndicatorState } from '../stages/indicators/indicator-set.ts';
const base = loadGoldenSeries();
const N = 100_000;
const series = Array.from({ length: N }, (_, i) => { const c = base[i % base.length]!; return { ...c, start: i * 60000, end: i * 60000 + 60000 }; });
let s = 0;
for (let rep = 0; rep < 6; rep++) {
  const st = initialIndicatorState();
  const t0 = process.hrtime.bigint();
  for (const c of series) { const v = applyCandle(st, c); s += v.close; }
  const t1 = process.hrtime.bigint();
  console.log('stream', (Number(t1 - t0) / N).toFixed(0), 'ns/candle');
}
