import { StageDefinitionError } from '../errors.ts';
import type { StateEntry } from '../state/keyed-state-store.ts';
import type { TickContext } from './define-stage.ts';
import type { StageScope } from './stage-runtime.ts';

/**
 * The context of a wall-clock tick or a flush: every key held, on the partitions owned now. Only the keys the
 * stage passes to `setState` are written to the changelog afterwards (see TickContext): a tick over a thousand
 * idle series that closes one window writes one record, not a thousand.
 */
export function tickContext(scope: StageScope): TickContext<unknown> {
  const { store } = scope;
  const where = new Map<string, number>();
  for (const [partition, key] of store?.keys() ?? []) where.set(key, partition);
  const entry = (key: string): StateEntry<unknown> => {
    const partition = where.get(key);
    if (partition === undefined) throw new StageDefinitionError(`no state for key ${key}`);
    return store!.entry(partition, key);
  };
  return {
    keys: () => where.keys(),
    state: (key) => entry(key).state,
    setState: (key, next) => {
      const e = entry(key);
      e.state = next;
      store!.changed(e);
    },
    now: scope.now,
    log: scope.log,
  };
}
