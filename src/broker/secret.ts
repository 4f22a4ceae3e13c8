import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a presented secret with the expected one in constant time. Both are hashed first, so neither the
 * content nor the length of the expected secret leaks through timing.
 */
export function secretMatches(presented: string | Buffer | undefined | null, expected: string): boolean {
  if (presented === undefined || presented === null) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
