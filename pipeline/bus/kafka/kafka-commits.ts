import type { Admin, Consumer } from 'kafkajs';
import { BusClosedError, BusError, errorMessage } from '../../errors.ts';
import type { TopicPartition, TopicPartitionOffset } from '../bus.ts';
import type { BusLogger } from './kafka-bus-options.ts';
import { protocolErrorType, toBusError } from './kafka-errors.ts';

// Commits of a subscription. The runner commits a batch only after its outputs and state were acknowledged;
// a commit for a partition this member does not own (or made while the group rebalances) is refused and
// logged, never sent: the partition's new owner may already be past it.

/** Errors after which the broker no longer counts this member's commits: the partition may have moved. */
const generationErrors = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'UNKNOWN_MEMBER_ID',
  'FENCED_INSTANCE_ID',
]);

/** Commits the offsets `owns` accepts; a generation error from the broker is logged as a refusal, not thrown. */
export async function commitOwned(
  consumer: Consumer,
  log: BusLogger,
  groupId: string,
  offsets: readonly TopicPartitionOffset[],
  owns: (tp: TopicPartition) => boolean,
): Promise<void> {
  const accepted: TopicPartitionOffset[] = [];
  const refused: TopicPartitionOffset[] = [];
  for (const o of offsets) (owns(o) ? accepted : refused).push(o);
  if (refused.length > 0) {
    log.warn({ groupId, refused }, 'commit refused: partitions not owned by this member');
  }
  if (accepted.length === 0) return;
  try {
    await consumer.commitOffsets(
      accepted.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })),
    );
  } catch (err) {
    if (generationErrors.has(protocolErrorType(err) ?? '')) {
      log.warn(
        { groupId, refused: accepted, err: errorMessage(err) },
        'commit refused by the broker: the group is rebalancing',
      );
      return;
    }
    throw toBusError(`commit ${groupId}`, err);
  }
}

/** The group's committed offset of a partition, or null when it has none. */
export async function fetchCommitted(
  admin: () => Promise<Admin>,
  groupId: string,
  tp: TopicPartition,
): Promise<number | null> {
  try {
    const result = await (await admin()).fetchOffsets({ groupId, topics: [tp.topic] });
    const offset = result[0]?.partitions.find((p) => p.partition === tp.partition)?.offset;
    return offset === undefined || Number(offset) < 0 ? null : Number(offset);
  } catch (err) {
    throw err instanceof BusError || err instanceof BusClosedError
      ? err
      : toBusError(`committed offset of ${groupId}`, err);
  }
}

/** The group's committed offsets of every partition of `topics` (none where it has none). */
export async function fetchGroupOffsets(
  admin: () => Promise<Admin>,
  groupId: string,
  topics: readonly string[],
): Promise<TopicPartitionOffset[]> {
  const result = await (await admin()).fetchOffsets({ groupId, topics: [...topics] });
  return result.flatMap(({ topic, partitions }) =>
    partitions
      .filter((p) => Number(p.offset) >= 0)
      .map((p) => ({ topic, partition: p.partition, offset: Number(p.offset) })),
  );
}
