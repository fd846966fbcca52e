import { defineConfig, settings } from '../../config/settings.ts';
import { ConfigError } from '../../errors.ts';
import { defaultKafkaTuning, type KafkaTuning } from './kafka-bus-options.ts';

// Settings of the kafkajs adapter. KAFKA_BROKERS switches the adapter on; the SASL variables match what a
// Strimzi KafkaUser with SCRAM authentication hands out.

export const saslMechanisms = ['scram-sha-256', 'scram-sha-512', 'plain'] as const;
export type SaslMechanism = (typeof saslMechanisms)[number];

export interface KafkaBusConfig {
  brokers: string[];
  clientId: string;
  ssl: boolean;
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
  /** Group and transaction timeouts from the settings; the rest of the tuning keeps its defaults. */
  tuning?: Partial<KafkaTuning>;
}

const broker = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})$/;

export const kafkaConfig = defineConfig(
  {
    brokers: settings.list('KAFKA_BROKERS', {
      default: [],
      defaultText: 'unset',
      doc: '`host:port[,host:port]`: use Kafka; unset: the embedded in-process bus',
      item: (b) => {
        const port = Number(broker.exec(b)?.[2] ?? 0);
        if (port < 1 || port > 65_535) throw new Error(`must be host:port[,host:port...], "${b}" is not`);
        return b;
      },
    }),
    clientId: settings.text('KAFKA_CLIENT_ID', {
      default: 'candleflow',
      doc: 'kafkajs client id',
      pattern: /^[A-Za-z0-9._-]+$/,
      rule: "may hold only letters, digits, '.', '_' and '-'",
    }),
    ssl: settings.boolean('KAFKA_SSL', { default: false, doc: 'TLS to the brokers' }),
    saslMechanism: settings.optionalText('KAFKA_SASL_MECHANISM', {
      doc: '`scram-sha-256`, `scram-sha-512` or `plain`; needs `KAFKA_SASL_USERNAME` and `KAFKA_SASL_PASSWORD`',
      pattern: new RegExp(`^(${saslMechanisms.join('|')})$`, 'i'),
      rule: `must be one of ${saslMechanisms.join(', ')}`,
    }),
    saslUsername: settings.optionalText('KAFKA_SASL_USERNAME', { doc: 'SASL user (a Strimzi KafkaUser)' }),
    saslPassword: settings.optionalText('KAFKA_SASL_PASSWORD', { doc: 'SASL password' }),
    sessionTimeoutMs: settings.duration('KAFKA_SESSION_TIMEOUT', {
      default: defaultKafkaTuning.sessionTimeoutMs,
      min: 1000,
      doc: 'a member not heard from for this long loses its partitions: the wait before a killed worker\u2019s partitions move (the broker allows 6s to 5m by default)',
    }),
    heartbeatIntervalMs: settings.duration('KAFKA_HEARTBEAT_INTERVAL', {
      default: defaultKafkaTuning.heartbeatIntervalMs,
      min: 100,
      doc: 'consumer heartbeats; at most a third of `KAFKA_SESSION_TIMEOUT`',
    }),
    rebalanceTimeoutMs: settings.duration('KAFKA_REBALANCE_TIMEOUT', {
      default: defaultKafkaTuning.rebalanceTimeoutMs,
      min: 1000,
      doc: 'how long a rebalance waits for members to finish their batch in flight and rejoin',
    }),
    transactionTimeoutMs: settings.duration('KAFKA_TRANSACTION_TIMEOUT', {
      default: defaultKafkaTuning.transactionTimeoutMs,
      min: 1000,
      doc: 'exactly-once: the broker aborts a transaction open longer (at most its `transaction.max.timeout.ms`, 15m)',
    }),
  },
  ({ brokers, clientId, ssl, saslMechanism, saslUsername, saslPassword, ...tuning }): KafkaBusConfig | null => {
    if (tuning.heartbeatIntervalMs * 3 > tuning.sessionTimeoutMs) {
      throw new ConfigError(
        'KAFKA_HEARTBEAT_INTERVAL',
        `must be at most a third of KAFKA_SESSION_TIMEOUT (${tuning.sessionTimeoutMs} ms), got ${tuning.heartbeatIntervalMs} ms`,
      );
    }
    if (saslMechanism) {
      if (!saslUsername)
        throw new ConfigError('KAFKA_SASL_USERNAME', `is required with KAFKA_SASL_MECHANISM=${saslMechanism}`);
      if (!saslPassword)
        throw new ConfigError('KAFKA_SASL_PASSWORD', `is required with KAFKA_SASL_MECHANISM=${saslMechanism}`);
    } else if (saslUsername || saslPassword) {
      throw new ConfigError(
        'KAFKA_SASL_MECHANISM',
        'is required when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set',
      );
    }
    if (brokers.length === 0) return null;
    const config: KafkaBusConfig = { brokers: [...brokers], clientId, ssl, tuning };
    if (saslMechanism && saslUsername && saslPassword) {
      config.sasl = {
        mechanism: saslMechanism.toLowerCase() as SaslMechanism,
        username: saslUsername,
        password: saslPassword,
      };
    }
    return config;
  },
);

/** The kafkajs adapter's settings, or null when KAFKA_BROKERS is unset (the embedded bus is used). */
export function parseKafkaConfig(env: Readonly<Record<string, string | undefined>>): KafkaBusConfig | null {
  return kafkaConfig.compile(env);
}
