// OpenTelemetry messaging semantic-convention names, copied as plain strings: the package's incubating entry
// point changes between releases, the wire names do not.

export const ATTR_MESSAGING_SYSTEM = 'messaging.system';
export const MESSAGING_SYSTEM_KAFKA = 'kafka';
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
export const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name';
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name';
export const ATTR_MESSAGING_DESTINATION_PARTITION_ID = 'messaging.destination.partition.id';
export const ATTR_MESSAGING_CONSUMER_GROUP_NAME = 'messaging.consumer.group.name';
export const ATTR_MESSAGING_BATCH_MESSAGE_COUNT = 'messaging.batch.message_count';
export const ATTR_MESSAGING_KAFKA_OFFSET = 'messaging.kafka.offset';
export const ATTR_MESSAGING_KAFKA_MESSAGE_KEY = 'messaging.kafka.message.key';

/** Values of messaging.operation.type. */
export const MessagingOperationType = { SEND: 'send', RECEIVE: 'receive', PROCESS: 'process' } as const;

/** Candleflow's own span attributes. */
export const CandleflowAttributes = {
  STAGE: 'candleflow.stage',
  OUTPUTS: 'candleflow.outputs',
  DEAD_LETTER_CODE: 'candleflow.dead_letter.code',
} as const;
