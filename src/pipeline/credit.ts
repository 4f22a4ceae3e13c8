/**
 * How far a thread may run ahead of the writer: output it has sent and the writing thread has not yet written.
 * A whole file read for `enrich` on one thread while an earlier file is still being read on another cannot be
 * written yet; without a bound, a large file behind a slow one would wait in memory whole.
 */
export class OutputCredit {
  private ahead = 0;
  private wake: (() => void) | null = null;

  constructor(private readonly limit: number) {}

  /** Counts `bytes` sent; returns a promise to wait on while more than the limit is unwritten. */
  spend(bytes: number): Promise<void> | undefined {
    this.ahead += bytes;
    if (this.ahead <= this.limit) return undefined;
    return new Promise((resolve) => { this.wake = resolve; });
  }

  /** `bytes` of what was sent are written: a waiting sender goes on once it is back under the limit. */
  grant(bytes: number): void {
    this.ahead -= bytes;
    if (this.wake !== null && this.ahead <= this.limit) {
      const wake = this.wake;
      this.wake = null;
      wake();
    }
  }
}

/** Bytes of output a thread may have sent ahead of the writer. */
export const OUTPUT_AHEAD = 8 << 20;

export function byteLength(parts: readonly Uint8Array[]): number {
  let n = 0;
  for (const p of parts) n += p.byteLength;
  return n;
}
