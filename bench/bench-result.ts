import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** What a benchmark (`bench/<topic>.bench.ts`, `export async function run()`) reports. */
export interface BenchResult {
  name: string;
  figures: Record<string, number | string>;
  notes?: string[];
}

export function machineDescription(): string {
  const cpu = cpus();
  return `${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, Node ${process.version}`;
}

/** Writes bench/results/<topic>.json and .md. */
export function writeBenchResult(topic: string, result: BenchResult): void {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const machine = machineDescription();
  const measuredAt = new Date().toISOString();
  writeFileSync(new URL(`${topic}.json`, dir), `${JSON.stringify({ ...result, machine, measuredAt }, null, 2)}\n`);
  const rows = Object.entries(result.figures).map(([k, v]) => `| ${k} | ${v} |`);
  const md = [
    `# ${result.name}`,
    '',
    `Machine: ${machine}. Measured ${measuredAt}.`,
    '',
    '| figure | value |',
    '| --- | --- |',
    ...rows,
    '',
    ...(result.notes ?? []).map((n) => `- ${n}`),
    '',
  ];
  writeFileSync(new URL(`${topic}.md`, dir), md.join('\n'));
}
