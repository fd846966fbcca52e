import { defineConfig, settings } from '../../config/settings.ts';
import { ConfigError } from '../../errors.ts';

// Settings of the kafkajs adapter. KAFKA_BROKERS switches the adapter on; the SASL variables match what a
// Strimzi KafkaUser with SCRAM authentication hands out.

export const saslMechanisms = ['scram-sha-256', 'scram-sha-512', 'plain'] as const;
export type SaslMechanism = (typeof saslMechanisms)[number];

export interface KafkaBusConfig {
  brokers: string[];
  clientId: string;
  ssl: boolean;
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
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
  },
  ({ brokers, clientId, ssl, saslMechanism, saslUsername, saslPassword }): KafkaBusConfig | null => {
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
    const config: KafkaBusConfig = { brokers: [...brokers], clientId, ssl };
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
