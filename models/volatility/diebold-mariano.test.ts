import { describe, expect, it } from 'vitest';
import { autocovariance, dieboldMariano, neweyWestVariance } from './diebold-mariano.ts';
import { studentTTwoSided } from './student-t.ts';

function expectRelative(got: number, want: number, tolerance = 1e-12): void {
  expect(Math.abs(got - want), `${got} vs ${want}`).toBeLessThanOrEqual(tolerance * Math.abs(want));
}

describe('dieboldMariano', () => {
  it('works a small case out by hand', () => {
    // d = [0, 2, 1, 4, 3, 5], mean 2.5, deviations [-2.5, -0.5, -1.5, 1.5, 0.5, 2.5]:
    // gamma_0 = 17.5 / 6, gamma_1 = (1.25 + 0.75 - 2.25 + 0.75 + 1.25) / 6 = 1.75 / 6,
    // h = 2: V = gamma_0 + 2 (1 - 1/2) gamma_1 = 19.25 / 6; DM = 2.5 / sqrt(V / 6) = 15 / sqrt(19.25);
    // HLN factor sqrt((6 + 1 - 4 + 2/6) / 6) = sqrt(5/9); p from t with 5 degrees of freedom.
    const r = dieboldMariano([1, 3, 2, 5, 4, 6], [1, 1, 1, 1, 1, 1], 2);
    expect(r.count).toBe(6);
    expectRelative(r.meanDifferential, 2.5);
    expectRelative(r.longRunVariance, 19.25 / 6);
    expectRelative(r.statistic, 15 / Math.sqrt(19.25));
    expectRelative(r.hlnStatistic, (15 / Math.sqrt(19.25)) * Math.sqrt(5 / 9));
    expectRelative(r.pValue, studentTTwoSided(r.hlnStatistic, 5));
    // scipy: 2 * t.sf(2.548235957188128, 5)
    expectRelative(r.pValue, 0.051376186237599576, 1e-10);
  });

  it('matches the Python implementation (volatility_training.diebold_mariano, scipy 1.10.1) on a fixed series', () => {
    const n = 200;
    const a = Array.from({ length: n }, (_, t) => 1 + Math.sin(t) ** 2 + 0.3 * Math.sin(0.05 * t));
    const b = Array.from({ length: n }, (_, t) => 1 + 0.8 * Math.cos(0.7 * t) ** 2 + 0.3 * Math.sin(0.05 * t + 0.4));
    const h5 = dieboldMariano(a, b, 5);
    expectRelative(h5.meanDifferential, 0.10751866390788872, 1e-12);
    expectRelative(h5.longRunVariance, 0.07455141932511991, 1e-12);
    expectRelative(h5.statistic, 5.568918969541102, 1e-12);
    expectRelative(h5.hlnStatistic, 5.443600489247922, 1e-12);
    expectRelative(h5.pValue, 1.5267914376162717e-7, 1e-9);
    const h1 = dieboldMariano(a, b, 1);
    expectRelative(h1.longRunVariance, 0.2145238994430953, 1e-12);
    expectRelative(h1.hlnStatistic, 3.2747078119392867, 1e-12);
    expectRelative(h1.pValue, 0.0012474875719216613, 1e-9);
  });

  it('is antisymmetric in its two loss series', () => {
    const a = [0.3, 0.9, 0.2, 1.4, 0.8, 0.6, 1.1, 0.4];
    const b = [0.5, 0.7, 0.6, 0.9, 1.0, 0.3, 0.8, 0.9];
    const ab = dieboldMariano(a, b, 3);
    const ba = dieboldMariano(b, a, 3);
    expect(ba.statistic).toBeCloseTo(-ab.statistic, 14);
    expect(ba.pValue).toBeCloseTo(ab.pValue, 14);
  });

  it('is a t test of the mean with the plain variance at horizon 1', () => {
    const a = [2, 4, 3, 7, 5];
    const b = [1, 1, 1, 1, 1];
    const d = a.map((x, i) => x - b[i]!);
    const mean = d.reduce((s, x) => s + x, 0) / d.length;
    const variance = d.reduce((s, x) => s + (x - mean) ** 2, 0) / d.length;
    const r = dieboldMariano(a, b, 1);
    expectRelative(r.statistic, mean / Math.sqrt(variance / d.length));
    expectRelative(r.hlnStatistic, r.statistic * Math.sqrt((d.length - 1) / d.length));
  });

  it('uses Bartlett weights, so an alternating differential cannot give a negative variance', () => {
    const d = Array.from({ length: 50 }, (_, t) => (t % 2 === 0 ? 1 : -1) + 0.01 * t);
    const mean = d.reduce((s, x) => s + x, 0) / d.length;
    const truncated = autocovariance(d, mean, 0) + 2 * [1, 2, 3].reduce((s, k) => s + autocovariance(d, mean, k), 0);
    expect(neweyWestVariance(d, 3)).toBeGreaterThan(0);
    expectRelative(
      neweyWestVariance(d, 3),
      autocovariance(d, mean, 0) + 2 * [1, 2, 3].reduce((s, k) => s + (1 - k / 4) * autocovariance(d, mean, k), 0),
    );
    expect(neweyWestVariance(d, 3)).not.toBeCloseTo(truncated, 6);
  });

  it('refuses series of different lengths, equal losses and too short a sample for the horizon', () => {
    expect(() => dieboldMariano([1, 2], [1], 1)).toThrow(/2 losses against 1/);
    expect(() => dieboldMariano([1, 2, 3], [0, 1, 2], 1)).toThrow(/no variance/);
    expect(() => dieboldMariano([1, 2, 3], [3, 1, 2], 3)).toThrow(/too few/);
    expect(() => dieboldMariano([1, 2, 3], [3, 1, 2], 0)).toThrow(/positive integer/);
  });
});
