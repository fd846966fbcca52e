import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

/** What one benchmark measured. Figures are numbers or short strings; notes explain how to read them. */
export interface BenchResult {
  /** A title for people; the file name comes from the benchmark's file (`<topic>.bench.ts`). */
  name: string;
  figures: Record<string, number | string>;
  notes?: string[];
}

export const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));

export function machine(): Record<string, string | number> {
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
}

/** Writes bench/results/<topic>.json and .md, with the machine description. */
export function writeResult(topic: string, result: BenchResult): void {
  mkdirSync(resultsDir, { recursive: true });
  const at = new Date().toISOString();
  const m = machine();
  writeFileSync(`${resultsDir}${topic}.json`, `${JSON.stringify({ ...result, machine: m, at }, null, 2)}\n`);
  const rows = Object.entries(result.figures).map(
    ([k, v]) => `| ${k} | ${typeof v === 'number' ? formatNumber(v) : v} |`,
  );
  const md = [
    `# ${result.name}`,
    '',
    `Measured ${at} on ${m.cpu} (${m.cores} cores, ${m.memoryGiB} GiB), Node ${m.node}.`,
    '',
    '| figure | value |',
    '| --- | --- |',
    ...rows,
    '',
    ...(result.notes ?? []).map((n) => `- ${n}`),
    '',
  ].join('\n');
  writeFileSync(`${resultsDir}${topic}.md`, md);
}

function formatNumber(v: number): string {
  return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toPrecision(4);
}

/** For `npx tsx bench/x.bench.ts`: run one benchmark and write its result. */
export async function runDirectly(importMetaUrl: string, run: () => Promise<BenchResult>): Promise<void> {
  const file = fileURLToPath(importMetaUrl);
  if (process.argv[1] && file === process.argv[1]) {
    const result = await run();
    writeResult(topicOf(file), result);
    console.log(JSON.stringify(result, null, 2));
  }
}

/** `bench/kafka.bench.ts` -> `kafka`. */
export function topicOf(file: string): string {
  return file.replace(/^.*\//, '').replace(/\.bench\.ts$/, '');
}
