import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

// What a benchmark reports, and where its figures are written (bench/results/<topic>.json and .md).

export interface BenchResult {
  name: string;
  figures: Record<string, number | string>;
  notes?: string[];
}

export function machine(): Record<string, string | number> {
  return { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.release()}` };
}

export function writeBenchResult(topic: string, result: BenchResult): void {
  const dir = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const m = machine();
  const at = new Date().toISOString();
  writeFileSync(`${dir}${topic}.json`, `${JSON.stringify({ ...result, machine: m, at }, null, 2)}\n`);
  const rows = Object.entries(result.figures).map(([k, v]) => `| ${k} | ${v} |`);
  const md = [
    `# ${result.name}`,
    '',
    `Measured ${at} on ${m.cpu} (${m.cores} cores), Node ${m.node}, ${m.platform}.`,
    '',
    '| figure | value |',
    '| --- | --- |',
    ...rows,
    ...(result.notes?.length ? ['', ...result.notes.map((n) => `- ${n}`)] : []),
    '',
  ].join('\n');
  writeFileSync(`${dir}${topic}.md`, md);
}

/** True when `moduleUrl` is the file node was asked to run (`npx tsx bench/<topic>.bench.ts`). */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && fileURLToPath(moduleUrl) === process.argv[1];
}
