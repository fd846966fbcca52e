// TA-Lib's floating-point guards (ta_utility.h), used where its functions branch on "zero".

/** TA_EPSILON */
export const TA_EPSILON = 0.00000000000001;

/** TA_IS_ZERO(v) */
export function isZero(v: number): boolean {
  return -TA_EPSILON < v && v < TA_EPSILON;
}

/** TA_IS_ZERO_OR_NEG(v) */
export function isZeroOrNeg(v: number): boolean {
  return v < TA_EPSILON;
}
