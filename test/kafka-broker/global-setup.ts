import type { TestProject } from 'vitest/node';
import {
  type KafkaCluster,
  kafkaBrokerMissing,
  kafkaBrokerService,
  type ScramUser,
  startKafkaCluster,
} from '../support/kafka-broker.ts';

// vitest globalSetup: one single-node Kafka 4 broker (with a SCRAM-SHA-512 listener) for the whole run, its
// address handed to the test files with provide/inject. Without Java or the installed jars it says so loudly
// and provides null, so that suites can skip; with CANDLEFLOW_REQUIRE_SERVICES=1 the run fails on one line.
// Wiring: README.md ("Shared broker for a whole run").

export interface SharedKafkaBroker {
  version: string;
  /** PLAINTEXT bootstrap servers (KAFKA_BROKERS). */
  brokers: string;
  /** SASL_PLAINTEXT (SCRAM-SHA-512) bootstrap servers. */
  saslBrokers: string;
  superUser: ScramUser;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** null when the broker could not run here (the reason was printed at the start of the run). */
    kafkaBroker: SharedKafkaBroker | null;
  }
}

type Provider = Pick<TestProject, 'provide'>;

/** The setup with the missing-service check given, so that both paths can be tested. */
export async function startSharedBroker(project: Provider, missing: string | null): Promise<() => Promise<void>> {
  if (missing !== null) {
    const line = `${kafkaBrokerService} is not available (${missing})`;
    if (process.env.CANDLEFLOW_REQUIRE_SERVICES === '1') {
      const err = new Error(`${line}; it is required (CANDLEFLOW_REQUIRE_SERVICES=1)`);
      err.stack = err.message; // one line, not a stack trace of the harness
      throw err;
    }
    const banner = `!!! ${line}: suites that inject('kafkaBroker') DID NOT RUN against Kafka !!!`;
    process.stderr.write(`\n${'!'.repeat(banner.length)}\n${banner}\n${'!'.repeat(banner.length)}\n\n`);
    project.provide('kafkaBroker', null);
    return async () => undefined;
  }
  const cluster: KafkaCluster = await startKafkaCluster({ nodes: 1, sasl: true });
  project.provide('kafkaBroker', {
    version: cluster.version,
    brokers: cluster.brokers.join(','),
    saslBrokers: cluster.saslBrokers.join(','),
    superUser: cluster.superUser!,
  });
  return () => cluster.stop();
}

export default function setup(project: TestProject): Promise<() => Promise<void>> {
  return startSharedBroker(project, kafkaBrokerMissing());
}
