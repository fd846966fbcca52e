import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { avroSchemas, avroType } from '../../schemas/records.ts';
import type { Candle, Trade } from '../../schemas/types.ts';
import { DecodeError, ValidationError } from '../errors.ts';
import { LocalSchemaRegistry, createLocalRegistryCodec } from './local-registry-codec.ts';
import { WireDecodeError, frame } from './wire-format.ts';

const trade: Trade = {
  exchange: 'kraken',
  symbol: 'BTC/USD',
  tradeId: '71234',
  price: 64_012.5,
  quantity: 0.0123,
  side: 'buy',
  timestamp: 1_717_000_000_123,
};

async function decodeFailure(promise: Promise<unknown>): Promise<WireDecodeError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DecodeError);
  expect(err).toBeInstanceOf(WireDecodeError);
  expect((err as DecodeError).code).toBe('CF_ERR_DECODE');
  expect((err as DecodeError).retriable).toBe(false);
  return err as WireDecodeError;
}

describe('local registry codec', () => {
  it('writes the Confluent wire format: magic byte 0, int32 schema id, Avro binary', async () => {
    const registry = new LocalSchemaRegistry();
    const codec = createLocalRegistryCodec(undefined, registry);
    const bytes = await codec.encode('trades', 'Trade', trade);
    expect(bytes[0]).toBe(0);
    const id = bytes.readInt32BE(1);
    expect(registry.schema(id)?.fingerprint()).toEqual(avroType('Trade').fingerprint());
    expect(bytes.subarray(5)).toEqual(avroType('Trade').toBuffer(trade));
    expect(await codec.decode('trades', bytes)).toEqual(trade);
  });

  it('gives one id to one schema on several subjects, as Confluent does', async () => {
    const codec = createLocalRegistryCodec();
    const candle: Candle = {
      symbol: 'BTC/USD',
      timeframe: '1m',
      start: 0,
      end: 60_000,
      open: 1,
      high: 2,
      low: 0.5,
      close: 1.5,
      volume: 3,
      quoteVolume: null,
      vwap: null,
      trades: null,
      buyVolume: null,
      final: true,
    };
    const closed = await codec.encode('candles', 'Candle', candle);
    const partial = await codec.encode('candles.partial', 'Candle', { ...candle, final: false });
    expect(partial.readInt32BE(1)).toBe(closed.readInt32BE(1));
    expect(await codec.decode('candles.partial', partial)).toEqual({ ...candle, final: false });
    expect(closed.readInt32BE(1)).not.toBe((await codec.encode('trades', 'Trade', trade)).readInt32BE(1));
  });

  it('tells a wrong magic byte apart', async () => {
    const codec = createLocalRegistryCodec();
    const bytes = await codec.encode('trades', 'Trade', trade);
    const bad = Buffer.from(bytes);
    bad[0] = 7;
    const err = await decodeFailure(codec.decode('trades', bad));
    expect(err.reason).toBe('wrong-magic-byte');
    expect(err.message).toContain('0x07');
    // JSON written by mistake starts with '{'
    expect((await decodeFailure(codec.decode('trades', Buffer.from(JSON.stringify(trade))))).reason).toBe(
      'wrong-magic-byte',
    );
  });

  it('tells truncated bytes apart, in the header and in the Avro body', async () => {
    const codec = createLocalRegistryCodec();
    const bytes = await codec.encode('trades', 'Trade', trade);
    expect((await decodeFailure(codec.decode('trades', bytes.subarray(0, 3)))).reason).toBe('truncated');
    expect((await decodeFailure(codec.decode('trades', Buffer.alloc(0)))).reason).toBe('truncated');
    expect((await decodeFailure(codec.decode('trades', bytes.subarray(0, bytes.length - 4)))).reason).toBe('truncated');
  });

  it('tells an unknown schema id apart', async () => {
    const codec = createLocalRegistryCodec();
    const payload = avroType('Trade').toBuffer(trade);
    const err = await decodeFailure(codec.decode('trades', frame(4242, payload)));
    expect(err.reason).toBe('unknown-schema-id');
    expect(err.message).toContain('4242');
  });

  it('refuses to encode a value that does not fit the schema, naming the field', async () => {
    const codec = createLocalRegistryCodec();
    const err = await codec.encode('trades', 'Trade', { ...trade, price: 'cheap' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toContain('price');
  });

  it('reads records written with an older schema into the current one (schema evolution)', async () => {
    const registry = new LocalSchemaRegistry();
    const codec = createLocalRegistryCodec(undefined, registry);
    const old = { ...avroSchemas.Trade, fields: avroSchemas.Trade.fields.filter((f) => f.name !== 'side') };
    const oldType = avro.Type.forSchema(old as avro.Schema);
    const id = registry.register('trades-value', oldType);
    const { side: _side, ...oldTrade } = trade;
    const decoded = await codec.decode('trades', frame(id, oldType.toBuffer(oldTrade)));
    expect(decoded).toEqual({ ...oldTrade, side: null });
  });
});
