import { describe, expect, it } from 'vitest';
import type { Trade } from '../../pipeline/index.ts';
import { claim, forgetBefore, initialDedupState, integerId, rememberedCount, type DedupState } from './trade-dedup.ts';

const trade = (id: string | null, ts = 1_000, over: Partial<Trade> = {}): Trade => ({
  exchange: 'x',
  symbol: 'BTC/USD',
  tradeId: id,
  price: 1,
  quantity: 1,
  side: 'buy',
  timestamp: ts,
  ...over,
});

function claims(state: DedupState, ids: string[]): boolean[] {
  return ids.map((id) => claim(state, trade(id), false, 0));
}

describe('trade de-duplication', () => {
  it('applies each integer id once, in any arrival order, gaps included', () => {
    const state = initialDedupState();
    expect(claims(state, ['10', '9', '12', '10', '11', '9', '15', '13', '12', '1', '14', '15'])).toEqual([
      true,
      true,
      true,
      false,
      true,
      false,
      true,
      true,
      false,
      true,
      true,
      false,
    ]);
  });

  it('treats text ids and id-less rows by their keys', () => {
    const state = initialDedupState();
    expect(claims(state, ['a-1', 'a-2', 'a-1'])).toEqual([true, true, false]);
    expect(claim(state, trade(null, 5, { price: 2 }), false, 0)).toBe(true);
    expect(claim(state, trade(null, 5, { price: 2 }), false, 0)).toBe(false);
    expect(claim(state, trade(null, 5, { price: 2, side: 'sell' }), false, 0)).toBe(true);
    expect(claim(state, trade(null, 5, { price: 2 }), true, 0)).toBe(true);
  });

  it('reads only exact integers as numbers', () => {
    expect(integerId('00123')).toBe(123);
    expect(integerId('12a')).toBe(-1);
    expect(integerId('1234567890123456')).toBe(-1);
    expect(integerId('')).toBe(-1);
  });

  it('forgets with the windows, and survives a JSON round trip', () => {
    const state = initialDedupState();
    claim(state, trade('5'), false, 0);
    claim(state, trade('8'), false, 60_000);
    claim(state, trade('k'), false, 0);
    claim(state, trade('m'), false, 60_000);
    expect(rememberedCount(state)).toBe(4);
    const restored = JSON.parse(JSON.stringify(state)) as DedupState;
    expect(claim(restored, trade('k'), false, 0)).toBe(false);
    expect(claim(restored, trade('7'), false, 60_000)).toBe(true);
    forgetBefore(restored, 60_000);
    // Window 0's text key and its id gap are gone; window 60 000's remain.
    expect(rememberedCount(restored)).toBe(2);
    expect(claim(restored, trade('m'), false, 60_000)).toBe(false);
    expect(claim(restored, trade('6'), false, 60_000)).toBe(true);
  });
});
