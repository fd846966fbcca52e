import { describe, expect, it } from 'vitest';
import {
  ewmaForecast,
  ewmaVariances,
  lossSeries,
  meanLosses,
  persistenceForecast,
  qlike,
  realisedVolatilityAfter,
  squaredError,
  sumOfSquares,
} from './realised-volatility.ts';

const returns = [null, 0.01, -0.02, 0.03, 0, 0.01];

describe('realised volatility', () => {
  it('sums squared log returns over the rows after t (target) and up to t (persistence)', () => {
    expect(sumOfSquares(returns, 1, 3)).toBeCloseTo(0.0001 + 0.0004 + 0.0009, 18);
    expect(realisedVolatilityAfter(returns, 1, 2)).toBeCloseTo(Math.sqrt(0.0004 + 0.0009), 15);
    expect(persistenceForecast(returns, 3, 2)).toBeCloseTo(Math.sqrt(0.0004 + 0.0009), 15);
    expect(realisedVolatilityAfter(returns, 3, 2)).toBeCloseTo(0.01, 15);
  });

  it('refuses windows that reach a missing return or leave the series', () => {
    expect(() => persistenceForecast(returns, 1, 2)).toThrow(/no logReturn at row 0/);
    expect(() => realisedVolatilityAfter(returns, 4, 2)).toThrow(/outside/);
  });

  it('runs RiskMetrics EWMA from the first return and scales it to the horizon', () => {
    const s = ewmaVariances(returns);
    expect(Number.isNaN(s[0]!)).toBe(true);
    expect(s[1]).toBeCloseTo(0.0001, 18);
    expect(s[2]).toBeCloseTo(0.94 * 0.0001 + 0.06 * 0.0004, 18);
    expect(s[3]).toBeCloseTo(0.94 * s[2]! + 0.06 * 0.0009, 18);
    expect(s[4]).toBeCloseTo(0.94 * s[3]!, 18);
    expect(ewmaForecast(s, 3, 30)).toBeCloseTo(Math.sqrt(30 * s[3]!), 15);
    expect(() => ewmaForecast(s, 0, 30)).toThrow(/no variance/);
    expect(() => ewmaVariances([null, 0.01, null])).toThrow(/row 2/);
  });
});

describe('losses', () => {
  it('scores QLIKE on variances: 0 when exact, q - ln q - 1 otherwise, harsher on too low a forecast', () => {
    expect(qlike(0.02, 0.02)).toBe(0);
    expect(qlike(0.02, 0.01)).toBeCloseTo(4 - Math.log(4) - 1, 14);
    expect(qlike(0.01, 0.02)).toBeCloseTo(0.25 - Math.log(0.25) - 1, 14);
    expect(qlike(0.02, 0.01)).toBeGreaterThan(qlike(0.01, 0.02));
  });

  it('scores squared error on RV and averages both', () => {
    expect(squaredError(0.02, 0.015)).toBeCloseTo(0.000025, 18);
    const losses = lossSeries([0.02, 0.01], [0.01, 0.01]);
    expect(Array.from(losses.squaredError)).toEqual([squaredError(0.02, 0.01), 0]);
    expect(meanLosses(losses)).toEqual({ mse: squaredError(0.02, 0.01) / 2, qlike: qlike(0.02, 0.01) / 2 });
    expect(() => lossSeries([1], [1, 2])).toThrow(/1 realised against 2/);
  });
});
