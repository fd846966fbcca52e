import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../errors.ts';
import { parseKafkaConfig } from './kafka-config.ts';

function configError(env: Record<string, string>): ConfigError {
  try {
    parseKafkaConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return err as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('parseKafkaConfig', () => {
  it('is off without KAFKA_BROKERS', () => {
    expect(parseKafkaConfig({})).toBeNull();
    expect(parseKafkaConfig({ KAFKA_BROKERS: '  ' })).toBeNull();
  });

  it('reads brokers, client id and TLS', () => {
    expect(parseKafkaConfig({ KAFKA_BROKERS: 'kafka-0.kafka:9092, 10.0.0.7:9093,[::1]:9094' })).toEqual({
      brokers: ['kafka-0.kafka:9092', '10.0.0.7:9093', '[::1]:9094'],
      clientId: 'candleflow',
      ssl: false,
      tuning: {
        sessionTimeoutMs: 30_000,
        heartbeatIntervalMs: 3_000,
        rebalanceTimeoutMs: 60_000,
        transactionTimeoutMs: 60_000,
      },
    });
    expect(
      parseKafkaConfig({ KAFKA_BROKERS: 'k:9093', KAFKA_CLIENT_ID: 'trade-to-ohlc-1', KAFKA_SSL: 'TRUE' }),
    ).toMatchObject({
      clientId: 'trade-to-ohlc-1',
      ssl: true,
    });
  });

  it('reads SCRAM credentials as a Strimzi KafkaUser gives them', () => {
    expect(
      parseKafkaConfig({
        KAFKA_BROKERS: 'candleflow-kafka-bootstrap:9093',
        KAFKA_SSL: 'true',
        KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
        KAFKA_SASL_USERNAME: 'candleflow-worker',
        KAFKA_SASL_PASSWORD: 's3cret',
      })?.sasl,
    ).toEqual({ mechanism: 'scram-sha-512', username: 'candleflow-worker', password: 's3cret' });
  });

  it('names the variable that is wrong', () => {
    expect(configError({ KAFKA_BROKERS: 'kafka' }).variable).toBe('KAFKA_BROKERS');
    expect(configError({ KAFKA_BROKERS: 'kafka:99999' }).variable).toBe('KAFKA_BROKERS');
    expect(configError({ KAFKA_BROKERS: 'a:1,,b:2' }).variable).toBe('KAFKA_BROKERS');
    expect(configError({ KAFKA_BROKERS: 'k:1', KAFKA_SSL: 'maybe' }).variable).toBe('KAFKA_SSL');
    expect(configError({ KAFKA_BROKERS: 'k:1', KAFKA_CLIENT_ID: 'has space' }).variable).toBe('KAFKA_CLIENT_ID');
    expect(
      configError({
        KAFKA_BROKERS: 'k:1',
        KAFKA_SASL_MECHANISM: 'gssapi',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
      }).variable,
    ).toBe('KAFKA_SASL_MECHANISM');
    expect(
      configError({ KAFKA_BROKERS: 'k:1', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_PASSWORD: 'p' }).variable,
    ).toBe('KAFKA_SASL_USERNAME');
    expect(
      configError({ KAFKA_BROKERS: 'k:1', KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'u' }).variable,
    ).toBe('KAFKA_SASL_PASSWORD');
    expect(configError({ KAFKA_BROKERS: 'k:1', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }).variable).toBe(
      'KAFKA_SASL_MECHANISM',
    );
    expect(configError({ KAFKA_BROKERS: 'kafka' }).message).toMatch(/^KAFKA_BROKERS must be host:port/);
    expect(
      configError({ KAFKA_BROKERS: 'k:1', KAFKA_SESSION_TIMEOUT: '6s', KAFKA_HEARTBEAT_INTERVAL: '3s' }).message,
    ).toBe('KAFKA_HEARTBEAT_INTERVAL must be at most a third of KAFKA_SESSION_TIMEOUT (6000 ms), got 3000 ms');
  });

  it('reads the group and transaction timeouts', () => {
    expect(
      parseKafkaConfig({ KAFKA_BROKERS: 'k:1', KAFKA_SESSION_TIMEOUT: '6s', KAFKA_HEARTBEAT_INTERVAL: '1s' })?.tuning,
    ).toMatchObject({ sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000 });
  });
});
