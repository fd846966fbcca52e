import { inject } from 'vitest';
import type { KafkaBusConfig } from '../../pipeline/bus/kafka/kafka-config.ts';
import type { SharedKafkaBroker } from '../kafka-broker/global-setup.ts';
import { kafkaBrokerMissing } from './kafka-broker.ts';

// The run's one single-node broker (test/kafka-broker/global-setup.ts, the integration project's globalSetup), for
// suites that neither stop its node nor need settings of their own. Every file of the run writes to it, so their
// topics and groups must be uniqueName's: a fixed name would meet another file's records and offsets.

export interface SharedBroker extends SharedKafkaBroker {
  /** The adapter's PLAINTEXT settings for this broker. */
  busConfig(clientId?: string): KafkaBusConfig;
}

/** The shared broker, or null with why it is missing (for describeWithService). */
export function sharedKafkaBroker(): { broker: SharedBroker | null; missing: string | null } {
  // undefined: this file runs in a project without the global setup.
  const provided = inject('kafkaBroker');
  if (!provided) {
    const missing = kafkaBrokerMissing() ?? 'not started by this run (test/kafka-broker/global-setup.ts)';
    return { broker: null, missing };
  }
  const busConfig = (clientId = 'candleflow-test'): KafkaBusConfig => ({
    brokers: provided.brokers.split(','),
    clientId,
    ssl: false,
  });
  return { broker: { ...provided, busConfig }, missing: null };
}
