import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type BenchResult, writeBenchResult } from './bench-result.ts';

// `npm run bench`: runs every bench/<topic>.bench.ts in turn (one at a time: the machine is small) and writes
// bench/results/<topic>.json and .md.

const dir = fileURLToPath(new URL('./', import.meta.url));
const only = process.argv.slice(2);
for (const file of readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort()) {
  const topic = file.slice(0, -'.bench.ts'.length);
  if (only.length > 0 && !only.includes(topic)) continue;
  const mod = (await import(new URL(`./${file}`, import.meta.url).href)) as { run(): Promise<BenchResult> };
  const result = await mod.run();
  writeBenchResult(topic, result);
  console.log(`${topic}: ${JSON.stringify(result.figures)}`);
}
