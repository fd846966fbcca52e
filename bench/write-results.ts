import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import type { BenchResult } from './bench-result.ts';

/** Writes bench/results/<topic>.json and .md with the machine it ran on. */
export function writeResults(topic: string, result: BenchResult): void {
  const dir = new URL('./results/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const machine = { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.release()}` };
  writeFileSync(new URL(`${topic}.json`, dir), `${JSON.stringify({ ...result, machine, date: new Date().toISOString() }, null, 2)}\n`);
  const rows = Object.entries(result.figures).map(([k, v]) => `| ${k} | ${v} |`);
  const md = [
    `# ${result.name}`, '', `Machine: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${machine.platform}.`, '',
    '| figure | value |', '| --- | --- |', ...rows, '', ...(result.notes ?? []).map((n) => `- ${n}`), '',
  ].join('\n');
  writeFileSync(new URL(`${topic}.md`, dir), md);
}
