import { ConfigError } from '../../errors.ts';

// Settings of the kafkajs adapter from the environment. KAFKA_BROKERS switches the adapter on; the SASL
// variables match what a Strimzi KafkaUser with SCRAM authentication hands out.

export type SaslMechanism = 'scram-sha-256' | 'scram-sha-512' | 'plain';
const saslMechanisms: readonly SaslMechanism[] = ['scram-sha-256', 'scram-sha-512', 'plain'];

export interface KafkaBusConfig {
  brokers: string[];
  clientId: string;
  ssl: boolean;
  sasl?: { mechanism: SaslMechanism; username: string; password: string };
}

type Env = Readonly<Record<string, string | undefined>>;

/** The kafkajs adapter's settings, or null when KAFKA_BROKERS is unset (the embedded bus is used). */
export function parseKafkaConfig(env: Env): KafkaBusConfig | null {
  const brokersText = env.KAFKA_BROKERS?.trim();
  if (!brokersText) return null;
  const brokers = brokersText.split(',').map((b) => b.trim());
  for (const broker of brokers) {
    const match = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\]):(\d{1,5})$/.exec(broker);
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65_535) {
      throw new ConfigError('KAFKA_BROKERS', `must be host:port[,host:port...], got "${broker}"`);
    }
  }

  const clientId = env.KAFKA_CLIENT_ID?.trim() || 'candleflow';
  if (!/^[A-Za-z0-9._-]+$/.test(clientId)) {
    throw new ConfigError('KAFKA_CLIENT_ID', `may hold only letters, digits, '.', '_' and '-', got "${clientId}"`);
  }

  const sslText = env.KAFKA_SSL?.trim().toLowerCase();
  if (sslText !== undefined && sslText !== '' && sslText !== 'true' && sslText !== 'false') {
    throw new ConfigError('KAFKA_SSL', `must be true or false, got "${env.KAFKA_SSL}"`);
  }
  const config: KafkaBusConfig = { brokers, clientId, ssl: sslText === 'true' };

  const mechanism = env.KAFKA_SASL_MECHANISM?.trim().toLowerCase();
  const username = env.KAFKA_SASL_USERNAME;
  const password = env.KAFKA_SASL_PASSWORD;
  if (mechanism) {
    if (!saslMechanisms.includes(mechanism as SaslMechanism)) {
      throw new ConfigError('KAFKA_SASL_MECHANISM', `must be one of ${saslMechanisms.join(', ')}, got "${mechanism}"`);
    }
    if (!username) throw new ConfigError('KAFKA_SASL_USERNAME', `is required with KAFKA_SASL_MECHANISM=${mechanism}`);
    if (!password) throw new ConfigError('KAFKA_SASL_PASSWORD', `is required with KAFKA_SASL_MECHANISM=${mechanism}`);
    config.sasl = { mechanism: mechanism as SaslMechanism, username, password };
  } else if (username || password) {
    throw new ConfigError('KAFKA_SASL_MECHANISM', 'is required when KAFKA_SASL_USERNAME or KAFKA_SASL_PASSWORD is set');
  }
  return config;
}
