import { describe, expect, it } from 'vitest';
import { incompleteBeta, logGamma, studentTCdf, studentTTwoSided } from './student-t.ts';

function expectRelative(got: number, want: number, tolerance: number): void {
  expect(Math.abs(got - want), `${got} vs ${want}`).toBeLessThanOrEqual(tolerance * Math.abs(want));
}

describe('logGamma', () => {
  it('gives factorials and Gamma(1/2) = sqrt(pi)', () => {
    let factorial = 1;
    for (let n = 1; n <= 20; n++) {
      expectRelative(Math.exp(logGamma(n + 1)), (factorial *= n), 1e-13);
    }
    expectRelative(logGamma(0.5), Math.log(Math.sqrt(Math.PI)), 1e-14);
    // Gamma(n + 1/2) = (2n)! sqrt(pi) / (4^n n!)
    expectRelative(logGamma(5.5), Math.log((3628800 * Math.sqrt(Math.PI)) / (1024 * 120)), 1e-14);
  });

  it('follows ln Gamma(x + 1) = ln Gamma(x) + ln x at large arguments', () => {
    for (const x of [10.25, 500.5, 2864.5, 1e5]) expect(logGamma(x + 1) - logGamma(x)).toBeCloseTo(Math.log(x), 9);
  });

  it('refuses x <= 0', () => {
    expect(() => logGamma(0)).toThrow(/positive/);
  });
});

describe('incompleteBeta', () => {
  it('is x^a for b = 1 and 1 - (1 - x)^b for a = 1', () => {
    for (const x of [0.01, 0.3, 0.5, 0.9, 0.999]) {
      expectRelative(incompleteBeta(2.5, 1, x), x ** 2.5, 1e-12);
      expectRelative(incompleteBeta(1, 3.5, x), 1 - (1 - x) ** 3.5, 1e-12);
    }
  });

  it('is symmetric: I_x(a, b) = 1 - I_(1-x)(b, a)', () => {
    for (const x of [0.05, 0.4, 0.77]) expect(incompleteBeta(3, 7, x) + incompleteBeta(7, 3, 1 - x)).toBeCloseTo(1, 13);
  });
});

describe('Student t', () => {
  const ts = [-50, -3, -0.5, 0, 0.7, 4, 100];

  it('is the Cauchy distribution at 1 degree of freedom', () => {
    for (const t of ts) expect(studentTCdf(t, 1)).toBeCloseTo(0.5 + Math.atan(t) / Math.PI, 14);
  });

  it('has the closed forms of 2 and 3 degrees of freedom', () => {
    for (const t of ts) {
      expect(studentTCdf(t, 2)).toBeCloseTo(0.5 + t / (2 * Math.sqrt(2 + t * t)), 14);
      const u = t / Math.sqrt(3);
      expect(studentTCdf(t, 3)).toBeCloseTo(0.5 + (u / (1 + u * u) + Math.atan(u)) / Math.PI, 14);
    }
  });

  it('keeps its relative accuracy deep in the tail (Cauchy tail 2 atan(1/t) / pi)', () => {
    for (const t of [1e3, 1e6, 1e9]) expectRelative(studentTTwoSided(t, 1), (2 * Math.atan(1 / t)) / Math.PI, 1e-12);
  });

  it('matches scipy.stats.t.sf at the sample sizes of the model cards', () => {
    // 2 * scipy.stats.t.sf(|t|, df), scipy 1.10.1.
    const reference: [number, number, number][] = [
      [-3.6822519363948403, 5729, 0.00023331129848062863],
      [2.548236, 5, 0.05137618356163453],
      [10, 5729, 2.366222757222704e-23],
      [25, 5729, 5.173986647403592e-131],
      [40, 100, 2.4621076021400736e-63],
      [0.3, 30, 0.7662461052843528],
      [-1.5, 12.5, 0.15844258698964986],
    ];
    for (const [t, df, p] of reference) expectRelative(studentTTwoSided(t, df), p, 1e-10);
  });

  it('is 1 at t = 0, 0 at infinity, and symmetric', () => {
    expect(studentTTwoSided(0, 7)).toBe(1);
    expect(studentTTwoSided(Infinity, 7)).toBe(0);
    expect(studentTTwoSided(-2.2, 9)).toBe(studentTTwoSided(2.2, 9));
    expect(studentTCdf(-1.3, 9) + studentTCdf(1.3, 9)).toBeCloseTo(1, 15);
  });
});
