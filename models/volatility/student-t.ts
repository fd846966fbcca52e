import { InputError } from '../../pipeline/errors.ts';

// Student's t distribution for the Diebold-Mariano p-values: the regularised incomplete beta function by its
// continued fraction (modified Lentz), with ln Gamma by the Lanczos series of Numerical Recipes (3rd ed., 6.1).
// Relative accuracy ~1e-12 even deep in the tail (p ~ 1e-30), where 1 - cdf would have cancelled to 0.

const LANCZOS = [
  57.15623566586292, -59.59796035547549, 14.136097974741746, -0.4919138160976202, 0.00003399464998481189,
  0.00004652362892704858, -0.00009837447530487956, 0.0001580887032249125, -0.00021026444172410488,
  0.00021743961811521265, -0.0001643181065367639, 0.00008441822398385275, -0.000026190838401581408,
  0.0000036899182659531625,
];

/** ln Gamma(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) throw new InputError(`logGamma: x must be a positive finite number, got ${x}`);
  let y = x;
  const t = x + 5.2421875;
  let series = 0.9999999999999971;
  for (const c of LANCZOS) series += c / ++y;
  return (x + 0.5) * Math.log(t) - t + Math.log((2.5066282746310007 * series) / x);
}

const MAX_ITERATIONS = 100_000;
const EPS = 1e-16;
const TINY = 1e-300;

/** The continued fraction of I_x(a, b) (Numerical Recipes' betacf); converges fast for x < (a + 1) / (a + b + 2). */
function betaFraction(a: number, b: number, x: number): number {
  const qab = a + b;
  const qap = a + 1;
  const qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= MAX_ITERATIONS; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const step = d * c;
    h *= step;
    if (Math.abs(step - 1) < EPS) return h;
  }
  throw new InputError(`incomplete beta: no convergence for a=${a}, b=${b}, x=${x}`);
}

/**
 * The regularised incomplete beta function I_x(a, b), given x and its complement y = 1 - x separately so that a
 * caller who knows y exactly (t tails) loses no digits to 1 - x.
 */
export function incompleteBeta(a: number, b: number, x: number, y: number = 1 - x): number {
  if (!(a > 0) || !(b > 0)) throw new InputError(`incomplete beta: a and b must be positive, got a=${a}, b=${b}`);
  if (!(x >= 0 && x <= 1) || !(y >= 0 && y <= 1))
    throw new InputError(`incomplete beta: x must lie in [0, 1], got ${x}`);
  if (x === 0) return 0;
  if (y === 0) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(y));
  if (x < (a + 1) / (a + b + 2)) return (front * betaFraction(a, b, x)) / a;
  return 1 - (front * betaFraction(b, a, y)) / b;
}

function checkDf(df: number): void {
  if (!(df > 0) || !Number.isFinite(df))
    throw new InputError(`Student t: degrees of freedom must be positive, got ${df}`);
}

/** P(|T| >= |t|) for T ~ Student t with `df` degrees of freedom: the two-sided p-value of a t statistic. */
export function studentTTwoSided(t: number, df: number): number {
  checkDf(df);
  if (Number.isNaN(t)) throw new InputError('Student t: the statistic is NaN');
  if (!Number.isFinite(t)) return 0;
  const t2 = t * t;
  return incompleteBeta(df / 2, 0.5, df / (df + t2), t2 / (df + t2));
}

/** P(T <= t) for T ~ Student t with `df` degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  const tail = studentTTwoSided(t, df) / 2;
  return t < 0 ? tail : 1 - tail;
}
