import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawnCandleflow } from '../../test/support/cli-process.ts';
import type { KafkaCluster } from '../../test/support/kafka-broker.ts';

// `candleflow run <stage>` as a real process for the drills: every stdout line (pino JSON) kept with the
// bench's own clock at arrival, so that a drill can ask when a line came, and all output kept for failures.

export interface Line {
  at: number;
  text: string;
  json: Record<string, unknown> | null;
}

export class WorkerProcess {
  readonly lines: Line[] = [];
  readonly startedAt = performance.now();
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcessWithoutNullStreams;
  private stderr = '';
  private partial = '';

  constructor(
    readonly stage: string,
    env: Record<string, string>,
  ) {
    this.child = spawnCandleflow(['run', stage], env);
    this.child.stdout.on('data', (d: Buffer) => this.take(String(d)));
    this.child.stderr.on('data', (d: Buffer) => (this.stderr += String(d)));
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  private take(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const text of parts) {
      this.lines.push({ at: performance.now(), text, json: parseJson(text) });
    }
  }

  /** The first line matching `pattern` that arrived at or after `since`, waiting for it. */
  async line(pattern: RegExp, timeoutMs: number, since = 0): Promise<Line> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find((l) => l.at >= since && pattern.test(l.text));
      if (found) return found;
      if (!this.running) throw new Error(`${this.stage} exited before ${pattern}:\n${this.tail()}`);
      if (Date.now() > deadline)
        throw new Error(`${this.stage}: no ${pattern} within ${timeoutMs} ms:\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Lines matching `pattern` so far. */
  matching(pattern: RegExp): Line[] {
    return this.lines.filter((l) => pattern.test(l.text));
  }

  async stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<number | null> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }

  tail(n = 30): string {
    return [...this.lines.slice(-n).map((l) => l.text), this.stderr.slice(-3000)].join('\n');
  }
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return null;
  }
}

export interface WorkerSettings {
  sessionTimeout?: string;
  heartbeat?: string;
  extra?: Record<string, string>;
}

export function startWorker(cluster: KafkaCluster, stage: string, s: WorkerSettings = {}): WorkerProcess {
  const env: Record<string, string> = {
    KAFKA_BROKERS: cluster.brokers.join(','),
    TOPIC_REPLICAS: String(cluster.nodes.length),
    METRICS_PORT: '0',
    OHLC_TIMEFRAMES: '1m',
    SHUTDOWN_GRACE_MS: '5000',
    ...(s.sessionTimeout ? { KAFKA_SESSION_TIMEOUT: s.sessionTimeout } : {}),
    ...(s.heartbeat ? { KAFKA_HEARTBEAT_INTERVAL: s.heartbeat } : {}),
    ...s.extra,
  };
  return new WorkerProcess(stage, env);
}

/** Starts the workers and waits until each says it is ready. */
export async function startReady(
  cluster: KafkaCluster,
  stages: readonly string[],
  s: WorkerSettings = {},
): Promise<WorkerProcess[]> {
  const workers = stages.map((stage) => startWorker(cluster, stage, s));
  try {
    await Promise.all(workers.map((w) => w.line(/candleflow run ready/, 120_000)));
  } catch (err) {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    throw err;
  }
  return workers;
}
