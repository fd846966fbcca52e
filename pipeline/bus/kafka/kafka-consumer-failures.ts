import type { Consumer } from 'kafkajs';
import { errorMessage } from '../../errors.ts';
import type { BusLogger } from './kafka-bus-options.ts';
import { protocolErrorType } from './kafka-errors.ts';
import { assignedByBroker } from './kafkajs-workarounds.ts';

// The ways a kafkajs consumer stops for good while its process lives on. Each calls `fail` with one line, so
// the worker goes not ready and exits instead of answering "ready" while it reads nothing.

export function watchForGoodFailures(
  consumer: Consumer,
  groupId: string,
  topics: readonly string[],
  log: BusLogger,
  fail: (message: string) => void,
): void {
  const { events } = consumer;
  consumer.on(events.CRASH, (e) => {
    const err = errorMessage(e.payload.error);
    log.error({ groupId, err, restart: e.payload.restart }, 'Kafka consumer crashed');
    // kafkajs restarts a consumer after a retriable crash; after any other it stays stopped.
    if (!e.payload.restart)
      fail(`consumer of group ${groupId} crashed and will not restart: ${err}${needs(e.payload.error)}`);
  });
  consumer.on(events.GROUP_JOIN, (e) => {
    // A KIP-848 member turned the group into a consumer group: the broker assigns, bypassing the co-partitioned
    // assignor keyed state relies on (test/kafka-broker/README.md). Strimzi: group.consumer.migration.policy=disabled.
    if (assignedByBroker(e.payload))
      fail(`group ${groupId} is assigned by the broker (a new-protocol member joined), not co-partitioned`);
  });

  /** What the user must grant when the broker refused the consumer (an ACL missing), or ''. */
  function needs(err: unknown): string {
    // kafkajs's retrier rewraps a protocol error as KafkaJSNonRetriableError with its message only, not its type.
    const said = `${protocolErrorType(err) ?? ''} ${errorMessage(err)}`;
    if (/TOPIC_AUTHORIZATION_FAILED|Topic authorization failed/.test(said))
      return `: needs Read on topic ${topics.join(', ')}`;
    if (/GROUP_AUTHORIZATION_FAILED|Group authorization failed/.test(said)) return `: needs Read on group ${groupId}`;
    return '';
  }
}
