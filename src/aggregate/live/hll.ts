/**
 * HyperLogLog distinct counter (Flajolet et al. 2007, with the small-range linear-counting correction).
 * Precision 11: 2048 one-byte registers, about 2.3 % standard error, and mergeable by taking register maxima —
 * so windows, pipeline instances and viewers can combine counts without sharing addresses.
 */
export const HLL_PRECISION = 11;
const M = 1 << HLL_PRECISION;

export class HyperLogLog {
  readonly registers = new Uint8Array(M);

  /** Adds a 32-bit hash. */
  addHash(hash: number): void {
    const index = hash >>> (32 - HLL_PRECISION);
    const rest = (hash << HLL_PRECISION) | (1 << (HLL_PRECISION - 1));
    const rank = Math.clz32(rest) + 1;
    if (rank > this.registers[index]) this.registers[index] = rank;
  }

  merge(other: Uint8Array): void {
    const r = this.registers;
    for (let i = 0; i < M; i++) if (other[i] > r[i]) r[i] = other[i];
  }

  clear(): void {
    this.registers.fill(0);
  }

  estimate(): number {
    return estimateOf(this.registers);
  }
}

export function estimateOf(registers: Uint8Array): number {
  let sum = 0;
  let zeros = 0;
  for (let i = 0; i < registers.length; i++) {
    sum += 2 ** -registers[i];
    if (registers[i] === 0) zeros++;
  }
  const m = registers.length;
  const raw = (0.7213 / (1 + 1.079 / m)) * m * m / sum;
  return Math.round(raw <= 2.5 * m && zeros > 0 ? m * Math.log(m / zeros) : raw);
}

/** murmur3's 32-bit finaliser: spreads an IPv4 address (or any integer) over all 32 bits. */
export function mix32(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A 32-bit hash of an IPv6 address held as four words. */
export function hashWords(w: Uint32Array, o: number): number {
  return mix32(mix32(mix32(mix32(w[o]) ^ w[o + 1]) ^ w[o + 2]) ^ w[o + 3]);
}

