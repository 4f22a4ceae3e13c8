/**
 * Why a piece of input was rejected. Every rejection is counted under one of these codes and reported with a
 * sentence a user can act on; the records around it are kept. Codes are stable: they label metrics and summaries.
 */
export const REJECT_REASONS = {
  field_count: 'the line has a different number of fields than its format',
  bad_number: 'a numeric field is not a non-negative integer or "-"',
  bad_address: 'an address field is neither IPv4, IPv6 nor "-"',
  not_text: 'the line holds bytes that are not UTF-8 text',
  line_too_long: 'the line is longer than the limit',
  bad_header: 'a header line names a field twice or an invalid name',
  bad_gzip: 'the gzip data is corrupt or truncated',
  bad_base64: 'the base64 data is invalid',
  bad_json: 'the JSON is invalid or not the expected shape',
  too_large: 'the payload is larger than the limit',
} as const;

export type RejectCode = keyof typeof REJECT_REASONS;

/** One rejected piece: where it was, the code it is counted under, and the detail. */
export interface Rejection {
  readonly where: string;
  readonly code: RejectCode;
  readonly detail: string;
}

/** Counts of rejections by code; cheap to bump on the hot path. */
export class RejectCounts {
  readonly byCode = new Map<RejectCode, number>();
  total = 0;

  add(code: RejectCode, n = 1): void {
    this.byCode.set(code, (this.byCode.get(code) ?? 0) + n);
    this.total += n;
  }

  merge(other: RejectCounts): void {
    for (const [code, n] of other.byCode) this.add(code, n);
  }

  toJSON(): Record<string, number> {
    return Object.fromEntries([...this.byCode].sort((a, b) => b[1] - a[1]));
  }
}

/** A fatal problem with how the program was started (bad option, unreadable database): exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** An input that could not be opened or decoded to its end: reported, and the exit code is non-zero. */
export class InputError extends Error {
  override name = 'InputError';
  constructor(readonly where: string, message: string) {
    super(`${where}: ${message}`);
  }
}
