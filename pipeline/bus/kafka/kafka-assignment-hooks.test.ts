import { describe, expect, it } from 'vitest';
import { BusError, StageDefinitionError } from '../../errors.ts';
import { defaultKafkaTuning } from './kafka-bus-options.ts';
import { runAssignmentHooks } from './kafka-assignment-hooks.ts';

const tuning = { ...defaultKafkaTuning, initialRetryMs: 1, maxRetryMs: 5 };
function memoryLogger() {
  const lines: { msg: string }[] = [];
  const at = () => (_obj: object, msg?: string) => void lines.push({ msg: msg ?? '' });
  return { lines, debug: at(), info: at(), warn: at(), error: at() };
}
const tp = { topic: 'trades', partition: 0 };
const run = (stopped = () => false) => ({ groupId: 'g', revoked: [], assigned: [tp], stopped });

describe('runAssignmentHooks', () => {
  it('tries a restore that failed with a retriable error again until it succeeds', async () => {
    let calls = 0;
    const log = memoryLogger();
    const onAssign = async () => {
      calls += 1;
      if (calls < 3) throw new BusError('offsets of trade-to-ohlc.state: not the leader', { retriable: true });
    };
    expect(await runAssignmentHooks({ onAssign }, run(), tuning, log)).toBeUndefined();
    expect(calls).toBe(3);
    expect(log.lines.filter((l) => l.msg === 'partition assignment callback failed; retrying')).toHaveLength(2);
  });

  it('gives up at once on an error retrying cannot fix, and when the subscription stops', async () => {
    const fatal = new StageDefinitionError('broken state');
    expect(await runAssignmentHooks({ onAssign: () => Promise.reject(fatal) }, run(), tuning, memoryLogger())).toBe(
      fatal,
    );
    const flaky = new BusError('broker restarting', { retriable: true });
    let calls = 0;
    const stopAfterTwo = () => calls >= 2;
    const onAssign = async () => {
      calls += 1;
      throw flaky;
    };
    expect(await runAssignmentHooks({ onAssign }, run(stopAfterTwo), tuning, memoryLogger())).toBe(flaky);
    expect(calls).toBe(2);
  });
});
