import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchResult } from './bench-result.ts';

// Whole-process wall-clock times of what a user waits for: `candleflow --help`, a config error, and `candleflow
// dev` (npm start) from spawn to the first 200 of /health/ready, on a fresh DATA_DIR (first start: migrations,
// bundled models registered) and again on the same one (warm). Medians of a few runs; nothing is asserted.

const root = fileURLToPath(new URL('../', import.meta.url));
const bin = join(root, 'bin/candleflow.js');
const runs = Number(process.env.BENCH_STARTUP_RUNS ?? 5);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function timed(args: string[], env: Record<string, string> = {}): number {
  const t0 = performance.now();
  spawnSync(process.execPath, [bin, ...args], { env: { ...process.env, ...env }, stdio: 'ignore' });
  return (performance.now() - t0) / 1000;
}

/** Seconds from spawn to /health/ready answering 200, then a clean SIGINT. */
async function devReady(dataDir: string): Promise<number> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [bin, 'dev'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      const m = /ready on (http:\/\/[\d.:]+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`dev exited ${code}: ${out.slice(-500)}`)));
  });
  for (;;) {
    const res = await fetch(`${url}/health/ready`).catch(() => undefined);
    if (res?.status === 200) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - t0) / 1000;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await exited;
  return seconds;
}

export async function run(): Promise<BenchResult> {
  timed(['--help']); // tsx's transform cache, as after the first command a user runs
  const help = Array.from({ length: runs }, () => timed(['--help']));
  const configError = Array.from({ length: runs }, () => timed(['dev'], { LOG_LEVEL: 'loud' }));
  const first: number[] = [];
  const warm: number[] = [];
  for (let i = 0; i < Math.min(runs, 3); i += 1) {
    const dir = mkdtempSync(join(tmpdir(), 'cf-startup-'));
    try {
      first.push(await devReady(dir));
      warm.push(await devReady(dir));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return {
    name: 'Startup: whole-process wall clock',
    figures: {
      'candleflow --help (s, median)': Number(median(help).toFixed(2)),
      'config error LOG_LEVEL=loud, dev (s, median)': Number(median(configError).toFixed(2)),
      'dev ready, first start on a fresh DATA_DIR (s, median)': Number(median(first).toFixed(2)),
      'dev ready, warm start on the same DATA_DIR (s, median)': Number(median(warm).toFixed(2)),
    },
    notes: [
      'spawn of `node bin/candleflow.js` to exit (help, config error) or to the first 200 of /health/ready (dev)',
      `${runs} runs of --help and the config error, ${Math.min(runs, 3)} of each dev start; tsx's cache warm`,
    ],
  };
}
