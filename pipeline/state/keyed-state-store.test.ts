import { describe, expect, it } from 'vitest';
import type { ChangelogSpec } from '../../schemas/topics.ts';
import type { BusMessage } from '../bus/bus.ts';
import { MemoryBus } from '../bus/memory-bus.ts';
import { uniqueName } from '../testing/unique-name.ts';
import { KeyedStateStore } from './keyed-state-store.ts';

/** Records the changelog writes, and fails them on request. */
class RecordingBus extends MemoryBus {
  writes: BusMessage[][] = [];
  fail = false;
  override async produce(topic: string, messages: readonly BusMessage[]): Promise<void> {
    if (this.fail) throw new Error('injected: changelog write lost');
    this.writes.push([...messages]);
    return super.produce(topic, messages);
  }
}

function setup() {
  const bus = new RecordingBus();
  const changelog: ChangelogSpec = {
    stage: 'trade-to-ohlc',
    name: uniqueName('state'),
    mirrors: uniqueName('in'),
    partitions: 2,
    replicas: 1,
    cleanupPolicy: 'compact',
    retentionMs: -1,
  };
  const store = new KeyedStateStore<{ n: number }>(bus, changelog, { initial: () => ({ n: 0 }) });
  return { bus, changelog, store };
}

const keysOf = (messages: readonly BusMessage[]) => messages.map((m) => `${m.partition}:${m.key}`);

describe('KeyedStateStore', () => {
  it('writes only the states marked changed, each once, and nothing when none changed', async () => {
    const { bus, changelog, store } = setup();
    await bus.ensureTopics([changelog]);
    for (const key of ['a', 'b', 'c']) store.entry(0, key);
    const b = store.entry(1, 'b');
    b.state.n = 2;
    store.changed(b);
    store.changed(b);
    expect(await store.flush()).toBe(1);
    expect(keysOf(bus.writes[0]!)).toEqual(['1:b']);
    expect(await store.flush()).toBe(0);
    expect(bus.writes).toHaveLength(1);
  });

  it('keeps a state marked when its write fails, so the next flush writes it', async () => {
    const { bus, changelog, store } = setup();
    await bus.ensureTopics([changelog]);
    const a = store.entry(0, 'a');
    store.changed(a);
    bus.fail = true;
    await expect(store.flush()).rejects.toThrow(/injected/);
    bus.fail = false;
    expect(await store.flush()).toBe(1);
    expect(keysOf(bus.writes[0]!)).toEqual(['0:a']);
  });

  it('forgets the changes of a partition given away, and restores what was written', async () => {
    const { bus, changelog, store } = setup();
    await bus.ensureTopics([changelog]);
    const a = store.entry(0, 'a');
    a.state.n = 5;
    store.changed(a);
    await store.flush();
    const b = store.entry(1, 'b');
    b.state.n = 7;
    store.changed(b);
    store.drop([1]);
    expect(await store.flush()).toBe(0);
    const next = new KeyedStateStore<{ n: number }>(bus, changelog, { initial: () => ({ n: 0 }) });
    expect(await next.restore([0, 1])).toBe(1);
    expect(next.entry(0, 'a').state).toEqual({ n: 5 });
    expect(next.entry(1, 'b').state).toEqual({ n: 0 });
  });
});
