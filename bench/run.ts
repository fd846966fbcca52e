import { readdirSync } from 'node:fs';
import { writeBenchResult, type BenchResult } from './bench-result.ts';

// `npm run bench`: runs every bench/<topic>.bench.ts in turn (one at a time: the machine is small) and writes
// bench/results/<topic>.{json,md}.

const dir = new URL('./', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort();
for (const file of files) {
  const topic = file.slice(0, -'.bench.ts'.length);
  const mod = (await import(new URL(file, dir).href)) as { run?: () => Promise<BenchResult> };
  if (typeof mod.run !== 'function') continue;
  const result = await mod.run();
  writeBenchResult(topic, result);
  console.log(`${result.name}`);
  for (const [k, v] of Object.entries(result.figures)) console.log(`  ${k}: ${v}`);
  for (const n of result.notes ?? []) console.log(`  - ${n}`);
}
