import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { topicOf, writeResult, type BenchResult } from './bench-result.ts';

// `npm run bench`: every bench/*.bench.ts in turn (or those named on the command line), results written to
// bench/results/. Separate from the tests on purpose: speed is measured, never asserted.

const dir = fileURLToPath(new URL('./', import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
  .sort();

let failed = 0;
for (const file of files) {
  const mod = (await import(`./${file}`)) as { run: () => Promise<BenchResult> };
  process.stdout.write(`bench ${file} ... `);
  try {
    const result = await mod.run();
    writeResult(topicOf(file), result);
    process.stdout.write('done\n');
    for (const [k, v] of Object.entries(result.figures)) process.stdout.write(`  ${k}: ${v}\n`);
  } catch (err) {
    failed++;
    process.stdout.write(`failed: ${String(err)}\n`);
  }
}
process.exitCode = failed > 0 ? 1 : 0;
