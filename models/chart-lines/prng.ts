// A small seeded PRNG (mulberry32) and the few distributions the chart generator draws from. Math.random is never
// used: a sample is a pure function of its seed, which is how the card test regenerates the held-out set.

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  uniform(a: number, b: number): number;
  /** Integer in [a, b]. */
  int(a: number, b: number): number;
  normal(): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[], weights?: readonly number[]): T;
}

export function rng(seed: number): Rng {
  let s = seed >>> 0 || 0x9e3779b9;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let spare: number | null = null;
  const r: Rng = {
    next,
    uniform: (a, b) => a + (b - a) * next(),
    int: (a, b) => a + Math.floor(next() * (b - a + 1)),
    normal: () => {
      if (spare !== null) {
        const v = spare;
        spare = null;
        return v;
      }
      // Box-Muller; 1 - next() keeps the logarithm finite.
      const u = 1 - next();
      const v = next();
      const m = Math.sqrt(-2 * Math.log(u));
      spare = m * Math.sin(2 * Math.PI * v);
      return m * Math.cos(2 * Math.PI * v);
    },
    chance: (p) => next() < p,
    pick: (items, weights) => {
      if (!weights) return items[Math.floor(next() * items.length)]!;
      const total = weights.reduce((a, b) => a + b, 0);
      let x = next() * total;
      for (let i = 0; i < items.length; i++) {
        x -= weights[i]!;
        if (x < 0) return items[i]!;
      }
      return items[items.length - 1]!;
    },
  };
  return r;
}
