import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { BusRecord } from '../../pipeline/bus/bus.ts';
import { createKafkaBus, type KafkaBus } from '../../pipeline/bus/kafka/kafka-bus.ts';
import { uniqueName } from '../../pipeline/testing/unique-name.ts';
import { kafkaBrokerService } from '../support/kafka-broker.ts';
import { fastTuning, memoryLogger, waitFor } from '../support/kafka-harness.ts';
import { describeWithService } from '../support/services.ts';
import { sharedKafkaBroker } from '../support/shared-kafka-broker.ts';

const workerFile = fileURLToPath(new URL('./fixtures/copy-worker.ts', import.meta.url));
const INPUTS = 1500;
// Only the worker is killed, so the run's shared broker does; the names are this file's own.
const { broker, missing } = sharedKafkaBroker();
const [input, output] = [uniqueName('crash-in'), uniqueName('crash-out')];

describeWithService(kafkaBrokerService, missing, 'a worker killed mid-batch (SIGKILL) and restarted', () => {
  let bus: KafkaBus;
  const workerGroup = uniqueName('copy-worker');
  const children: ChildProcess[] = [];

  const startWorker = async (onHandled: (n: number) => void = () => {}) => {
    const child = spawn(process.execPath, ['--import', 'tsx', workerFile], {
      env: {
        ...process.env,
        KAFKA_BROKERS: broker!.brokers,
        CRASH_IN: input,
        CRASH_OUT: output,
        CRASH_GROUP: workerGroup,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const lines = createInterface({ input: child.stdout! });
    let ready = false;
    lines.on('line', (line) => {
      if (line === 'ready') ready = true;
      else if (line.startsWith('handled ')) onHandled(Number(line.slice(8)));
    });
    await waitFor('the worker to join its group', () => ready || child.exitCode !== null, 30_000);
    if (!ready) throw new Error(`worker exited with ${child.exitCode}`);
    return child;
  };

  beforeAll(async () => {
    bus = createKafkaBus(broker!.busConfig('crash-test'), { log: memoryLogger() }, fastTuning);
    await bus.ensureTopics([
      { name: input, partitions: 3, replicas: 1 },
      { name: output, partitions: 3, replicas: 1 },
    ]);
  }, 120_000);
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await bus?.close();
  });

  it('gives exactly the outputs of an uninterrupted run after de-duplication by key', async () => {
    const inputs = Array.from({ length: INPUTS }, (_, i) => ({ key: `trade-${i}`, value: Buffer.from(`v${i}`) }));
    for (let i = 0; i < inputs.length; i += 500) await bus.produce(input, inputs.slice(i, i + 500));

    let handledBeforeKill = 0;
    const first = await startWorker((n) => (handledBeforeKill = n));
    await waitFor('the first worker to be busy', () => handledBeforeKill >= 400, 60_000);
    first.kill('SIGKILL');
    await new Promise<void>((resolve) =>
      first.exitCode !== null || first.signalCode !== null ? resolve() : first.once('exit', () => resolve()),
    );
    expect(first.signalCode).toBe('SIGKILL');
    expect(handledBeforeKill).toBeLessThan(INPUTS);

    const second = await startWorker();
    const written: BusRecord[] = [];
    const observer = await bus.subscribe({
      groupId: uniqueName('observer'),
      topics: [output],
      onBatch: async (b) => void written.push(...b.records),
    });
    await waitFor('every input copied', () => new Set(written.map((r) => r.key)).size >= INPUTS, 90_000);
    second.kill('SIGTERM');
    await observer.close();

    const byKey = new Map<string, Set<string>>();
    for (const r of written) byKey.set(r.key!, (byKey.get(r.key!) ?? new Set()).add(r.value.toString()));
    const expected = new Map(inputs.map((m) => [m.key, new Set([`${m.value.toString()}:copied`])]));
    expect(byKey).toEqual(expected);
    expect(written.length).toBeGreaterThanOrEqual(INPUTS);
  }, 150_000);
});
