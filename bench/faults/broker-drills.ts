import type { Admin } from 'kafkajs';
import { waitFor } from '../../pipeline/testing/wait-for.ts';
import { type KafkaCluster, startKafkaCluster } from '../../test/support/kafka-broker.ts';
import { client, compare, leaders, OutputReader, producerOf, send, setTopicConfig, trade } from './kafka-side.ts';
import { startReady } from './worker-process.ts';

// Drills 1 and 2: `trade-to-ohlc` and `indicators` as two worker processes over a backlog of trades, a broker
// node SIGKILLed while they work through it, and their `candles` and `features` compared key by key with an
// uninterrupted run over the same trades.

const symbols = Array.from({ length: 16 }, (_, s) => `SYM${s}/USD`);
const perSymbol = 1_800; // one trade a second: 30 windows of 1m, 29 closed by a later trade
export const expectedPerTopic = symbols.length * (perSymbol / 60 - 1);
const outputs = ['candles', 'features'] as const;

function trades() {
  return symbols.flatMap((symbol, s) =>
    Array.from({ length: perSymbol }, (_, i) => trade(symbol, i, 100 + ((i * 37 + s * 11) % 101) / 10)),
  );
}

export type Outputs = Map<string, Map<string, string[]>>;

interface Fault {
  /** Does the damage; resolves with when it began and when the cluster served again (performance.now()). */
  (cluster: KafkaCluster, admin: Admin): Promise<{ killedAt: number; backAt: number; node: number }>;
}

/** How long a drill waits for its outputs after the fault before calling it a hang. */
const hangAfterMs = 90_000;

export interface DrillRun {
  outputs: Outputs;
  seconds: number;
  outageS: number | null;
  catchUpS: number | null;
  /** Null when the outputs completed while the node was down (or there was no fault); a hang is reported, not thrown. */
  hang: null | { missing: Record<string, number>; afterS: number; nodeBackCatchUpS: number | null; log: string };
  killedNode: number | null;
  workerExits: (number | null)[];
  workersAliveAtEnd: boolean;
}

async function pipelineRun(nodes: 1 | 3, fault: Fault | null): Promise<DrillRun> {
  const cluster = await startKafkaCluster({ nodes, startTimeoutMs: 180_000 });
  const kafka = client(cluster);
  const admin = kafka.admin();
  const reader = new OutputReader(kafka);
  let producer: Awaited<ReturnType<typeof producerOf>> | null = null;
  const workers = await startReady(cluster, ['trade-to-ohlc', 'indicators'], { sessionTimeout: '6s', heartbeat: '1s' });
  try {
    await admin.connect();
    if (nodes === 3) {
      const mine = (await admin.listTopics()).filter((t) => !t.startsWith('__'));
      for (const t of mine) await setTopicConfig(admin, t, { 'min.insync.replicas': '2' });
    }
    await reader.start(outputs);
    producer = await producerOf(kafka);
    const began = performance.now();
    await send(producer, trades());
    let timing: Awaited<ReturnType<Fault>> | null = null;
    if (fault) {
      await waitFor(() => reader.keys('candles') >= expectedPerTopic * 0.3, '30% of the candles', 120_000);
      timing = await fault(cluster, admin);
    }
    const complete = () => outputs.every((t) => reader.keys(t) >= expectedPerTopic);
    let hang: DrillRun['hang'] = null;
    if (!(await within(complete, fault ? hangAfterMs : 300_000))) {
      if (!timing || cluster.nodes.every((n) => n.running)) throw new Error('the outputs did not complete');
      // A hang with a node down: note what was missing and whose log said why, then see if its return helps.
      const missing = Object.fromEntries(outputs.map((t) => [t, expectedPerTopic - reader.keys(t)]));
      const log = workers.map(
        (w) =>
          `${w.stage}: ${
            w
              .matching(/"level":(40|50)/)
              .at(-1)
              ?.text.slice(0, 400) ?? '-'
          }`,
      );
      await cluster.startNode(timing.node);
      const back = performance.now();
      const recovered = await within(complete, hangAfterMs);
      hang = {
        missing,
        afterS: hangAfterMs / 1000,
        nodeBackCatchUpS: recovered ? (performance.now() - back) / 1000 : null,
        log: log.join('\n'),
      };
    }
    const done = performance.now();
    await new Promise((r) => setTimeout(r, 2_000)); // late duplicates, if any, count too
    const workersAliveAtEnd = workers.every((w) => w.running);
    const workerExits = await Promise.all(workers.map((w) => w.stop('SIGTERM')));
    return {
      outputs: reader.values,
      seconds: (done - began) / 1000,
      outageS: timing ? (timing.backAt - timing.killedAt) / 1000 : null,
      catchUpS: timing && !hang ? (done - timing.backAt) / 1000 : null,
      hang,
      killedNode: timing?.node ?? null,
      workerExits,
      workersAliveAtEnd,
    };
  } catch (err) {
    for (const w of workers) process.stderr.write(`--- ${w.stage}\n${w.tail()}\n`);
    throw err;
  } finally {
    await Promise.all(workers.map((w) => w.stop('SIGKILL')));
    await reader.stop().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
    await cluster.stop();
  }
}

async function within(check: () => boolean, ms: number): Promise<boolean> {
  return waitFor(check, '', ms, 50).then(
    () => true,
    () => false,
  );
}

/** The uninterrupted run: the values every drill is compared with. */
export const referenceRun = () => pipelineRun(1, null);

/** Drill 1: the only node SIGKILLed and started again on its data. */
export const singleNodeRestart = () =>
  pipelineRun(1, async (cluster) => {
    const killedAt = performance.now();
    await cluster.killNode(1);
    await cluster.startNode(1);
    return { killedAt, backAt: performance.now(), node: 1 };
  });

/** SIGKILLs `node` and waits until the metadata names live leaders for every partition of `topic`. */
async function killAndReelect(cluster: KafkaCluster, admin: Admin, node: number, topic: string) {
  const killedAt = performance.now();
  await cluster.killNode(node);
  await waitFor(
    async () => {
      const now = await leaders(admin, topic).catch(() => [node]);
      return now.every((l) => l >= 0 && l !== node);
    },
    `new leaders of ${topic} for the partitions of node ${node}`,
    60_000,
    100,
  );
  return { killedAt, backAt: performance.now(), node };
}

/** Drill 2: three nodes; the node leading most `trades` partitions SIGKILLed, left down until the end. */
export const leaderKill = () =>
  pipelineRun(3, async (cluster, admin) => {
    const counts = new Map<number, number>();
    for (const l of await leaders(admin, 'trades')) counts.set(l, (counts.get(l) ?? 0) + 1);
    const node = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
    return killAndReelect(cluster, admin, node, 'trades');
  });

/** The broker's partition of `__consumer_offsets` for a group: abs(String.hashCode) modulo the partitions. */
function offsetsPartition(groupId: string, partitions: number): number {
  let h = 0;
  for (let i = 0; i < groupId.length; i++) h = (Math.imul(31, h) + groupId.charCodeAt(i)) | 0;
  return (h & 0x7fffffff) % partitions;
}

/**
 * Drill 2b: three nodes; the group coordinator of `candleflow.indicators` SIGKILLed (the leader of its
 * `__consumer_offsets` partition), left down. The first run of drill 2 happened to kill it with the leader.
 */
export const coordinatorKill = () =>
  pipelineRun(3, async (cluster, admin) => {
    const offsets = await leaders(admin, '__consumer_offsets');
    const node = offsets[offsetsPartition('candleflow.indicators', offsets.length)]!;
    return killAndReelect(cluster, admin, node, '__consumer_offsets');
  });

export function judge(run: DrillRun, reference: Outputs) {
  let compared = 0;
  let duplicates = 0;
  const mismatches: string[] = [];
  for (const t of outputs) {
    const r = compare(run.outputs.get(t)!, reference.get(t)!);
    compared += r.compared;
    duplicates += r.duplicates;
    mismatches.push(...r.mismatches.map((m) => `${t} ${m}`));
  }
  return { compared, duplicates, mismatches };
}
