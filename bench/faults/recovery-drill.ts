import type { Admin, Producer } from 'kafkajs';
import { waitFor } from '../../pipeline/testing/wait-for.ts';
import { type KafkaCluster, startKafkaCluster } from '../../test/support/kafka-broker.ts';
import { client, lag, producerOf, send, trade } from './kafka-side.ts';
import { startReady, type WorkerSettings } from './worker-process.ts';

// Drill 4: two `trade-to-ohlc` members in one group under a steady stream of trades; one is SIGKILLed (or sent
// SIGTERM, leaving the group) and the clock runs until the survivor has restored the dead member's partitions
// and the group's lag is back to what the stream itself keeps in flight.

const group = 'candleflow.trade-to-ohlc';
const symbols = Array.from({ length: 24 }, (_, s) => `REC${s}/USD`);
const tickMs = 100; // one trade per symbol each tick: 240 trades/s
/** Caught up: no more than one second of the stream not yet committed. */
export const caughtUpLag = (symbols.length * 1000) / tickMs;

export interface RecoveryCase {
  label: string;
  signal: 'SIGKILL' | 'SIGTERM';
  settings: WorkerSettings;
}

export interface RecoveryFigures {
  label: string;
  reassignedS: number;
  caughtUpS: number;
  peakLag: number;
}

class Stream {
  private i = 0;
  private stopped = false;
  private running: Promise<void> = Promise.resolve();
  failures = 0;

  constructor(private readonly producer: Producer) {}

  start(): void {
    this.running = (async () => {
      while (!this.stopped) {
        const i = this.i++;
        await send(
          this.producer,
          symbols.map((s, k) => trade(s, i, 100 + ((i * 37 + k) % 101) / 10)),
        ).catch(() => void this.failures++);
        await new Promise((r) => setTimeout(r, tickMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }
}

async function drillCase(cluster: KafkaCluster, admin: Admin, c: RecoveryCase): Promise<RecoveryFigures> {
  const [survivor, victim] = await startReady(cluster, ['trade-to-ohlc', 'trade-to-ohlc'], c.settings);
  try {
    // Both members own partitions (each restored some) and the group keeps up before the fault.
    await waitFor(
      () =>
        survivor!.matching(/"msg":"state restored"/).length > 0 &&
        victim!.matching(/"msg":"state restored"/).length > 0,
      'both members to be assigned',
      120_000,
      50,
    );
    await waitFor(async () => (await lag(admin, group, 'trades')) <= caughtUpLag, 'the group to keep up', 120_000, 200);
    const faultAt = performance.now();
    await victim!.stop(c.signal);
    const restored = await survivor!.line(/"msg":"state restored"/, 180_000, faultAt);
    let peakLag = 0;
    await waitFor(
      async () => {
        const now = await lag(admin, group, 'trades');
        peakLag = Math.max(peakLag, now);
        return performance.now() > restored.at && now <= caughtUpLag;
      },
      'the survivor to catch up',
      180_000,
      200,
    );
    return {
      label: c.label,
      reassignedS: (restored.at - faultAt) / 1000,
      caughtUpS: (performance.now() - faultAt) / 1000,
      peakLag,
    };
  } catch (err) {
    for (const w of [survivor, victim]) process.stderr.write(`--- ${w?.stage}\n${w?.tail()}\n`);
    throw err;
  } finally {
    await survivor!.stop('SIGTERM');
    await victim!.stop('SIGKILL');
  }
}

export async function recoveryDrill(cases: readonly RecoveryCase[]): Promise<RecoveryFigures[]> {
  const cluster = await startKafkaCluster({ nodes: 1 });
  const kafka = client(cluster);
  const admin = kafka.admin();
  let producer: Producer | null = null;
  let stream: Stream | null = null;
  try {
    await admin.connect();
    const results: RecoveryFigures[] = [];
    for (const c of cases) {
      const first = results.length === 0;
      if (first) {
        // The workers create `trades`; the stream starts once it exists.
        const workers = await startReady(cluster, ['trade-to-ohlc']);
        await Promise.all(workers.map((w) => w.stop('SIGTERM')));
        producer = await producerOf(kafka);
        stream = new Stream(producer);
        stream.start();
      }
      results.push(await drillCase(cluster, admin, c));
    }
    return results;
  } finally {
    await stream?.stop();
    await producer?.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await cluster.stop();
  }
}
