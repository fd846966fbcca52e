import { readdirSync } from 'node:fs';
import type { BenchResult } from './bench-result.ts';
import { writeResults } from './write-results.ts';

// `npm run bench`: every bench/<topic>.bench.ts in turn (or those named as arguments), each writing
// bench/results/<topic>.json and .md, then one summary on stdout.

const only = process.argv.slice(2);
const files = readdirSync(new URL('./', import.meta.url))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.includes(f.replace(/\.bench\.ts$/, '')))
  .sort();
const results: BenchResult[] = [];
for (const file of files) {
  const topic = file.replace(/\.bench\.ts$/, '');
  const mod = (await import(new URL(file, import.meta.url).href)) as { run(): Promise<BenchResult> };
  const result = await mod.run();
  writeResults(topic, result);
  results.push(result);
  console.log(`${topic}: ${JSON.stringify(result.figures)}`);
}
if (results.length === 0) console.log('no benchmarks matched');
