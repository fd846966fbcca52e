import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './bench-result.ts';

// Resident memory of `candleflow dev` (npm start) over a fixed number of loops of the bundled sample, replayed
// faster than the default 60x so that BENCH_MEMORY_LOOPS loops take minutes, not hours. RSS is read from
// /proc/<pid>/status each time the sample starts over; flat means nothing grows with the number of records.

const root = fileURLToPath(new URL('../', import.meta.url));
const loops = Number(process.env.BENCH_MEMORY_LOOPS ?? 20);
const speed = process.env.BENCH_MEMORY_SPEED ?? '600x';

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024);
}

/** cf_bus_retained_records from the API's /metrics (-1 when the build has no such gauge). */
async function retainedRecords(url: string | undefined): Promise<number> {
  if (!url) return -1;
  const res = await fetch(`${url}/metrics`).catch(() => undefined);
  const text = res ? await res.text() : '';
  const m = /^cf_bus_retained_records (\d+)/m.exec(text);
  return m ? Number(m[1]) : -1;
}

export async function run(): Promise<BenchResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cf-memory-'));
  const child = spawn(process.execPath, [join(root, 'bin/candleflow.js'), 'dev'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'info', REPLAY_SPEED: speed },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const samples: number[] = [];
  const retained: number[] = [];
  let url: string | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      let buffer = '';
      child.stdout.on('data', (d: Buffer) => {
        buffer += d;
        const lines = buffer.split('\n');
        buffer = lines.pop()!;
        for (const line of lines) {
          url ??= /ready on (http:\/\/[\d.:]+)/.exec(line)?.[1];
          if (!/sample replayed|starting over/.test(line)) continue;
          samples.push(rssMb(child.pid!));
          const reading = retainedRecords(url).then((n) => void retained.push(n));
          if (samples.length >= loops) void reading.finally(resolve);
        }
      });
      child.once('exit', (code) => reject(new Error(`dev exited ${code} after ${samples.length} loops`)));
    });
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
  const at = (n: number) => samples[Math.min(samples.length, n) - 1]!;
  const figures: Record<string, number | string> = {};
  for (const n of [1, 2, 5, 10, 20, 40].filter((n) => n <= loops)) figures[`RSS after loop ${n} (MB)`] = at(n);
  figures[`RSS growth, loop 5 to ${loops} (MB)`] = at(loops) - at(5);
  figures['bus records retained, loop 5 / last'] = `${retained[4] ?? '-'} / ${retained.at(-1) ?? '-'}`;
  return {
    name: `Memory: npm start over ${loops} loops of the sample at ${speed}`,
    figures,
    notes: [
      `RSS at each loop: ${samples.join(', ')} MB`,
      `cf_bus_retained_records at each loop: ${retained.join(', ')}`,
      'RSS of the dev process and the embedded bus gauge, read each time the sample starts over',
    ],
  };
}
