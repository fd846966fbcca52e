import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { BenchResult } from './bench-result.ts';

/** Writes bench/results/<topic>.json and .md with a description of the machine. */
export function writeResults(topic: string, result: BenchResult): void {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, date: new Date().toISOString() };
  writeFileSync(new URL(`${topic}.json`, dir), `${JSON.stringify({ ...result, machine }, null, 2)}\n`);
  const rows = Object.entries(result.figures).map(([k, v]) => `| ${k} | ${v} |`);
  const md = [
    `# ${result.name}`, '',
    `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.date}`, '',
    '| figure | value |', '|---|---|', ...rows, '',
    ...(result.notes ?? []).map((n) => `- ${n}`), '',
  ].join('\n');
  writeFileSync(new URL(`${topic}.md`, dir), md);
}
