// Copied from the OpenTelemetry messaging semantic conventions (not imported from /incubating, as the
// semantic-conventions README advises), plus Candleflow's own attributes.
export const ATTR_MESSAGING_SYSTEM = 'messaging.system' as const;
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type' as const;
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name' as const;
export const ATTR_MESSAGING_DESTINATION_PARTITION_ID = 'messaging.destination.partition.id' as const;
export const ATTR_MESSAGING_KAFKA_OFFSET = 'messaging.kafka.offset' as const;
export const ATTR_MESSAGING_KAFKA_MESSAGE_KEY = 'messaging.kafka.message.key' as const;
export const ATTR_MESSAGING_CONSUMER_GROUP_NAME = 'messaging.consumer.group.name' as const;
export const ATTR_MESSAGING_BATCH_MESSAGE_COUNT = 'messaging.batch.message_count' as const;
export const MESSAGING_SYSTEM_VALUE_KAFKA = 'kafka' as const;

export const CandleflowAttributes = {
  STAGE: 'candleflow.stage',
  OUTPUTS: 'candleflow.outputs',
  DEAD_LETTER_CODE: 'candleflow.dead_letter.code',
} as const;
