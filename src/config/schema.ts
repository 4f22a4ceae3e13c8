import { z } from 'zod';
import { DIMENSION_NAMES } from '../aggregate/dimensions.js';
import { UsageError } from '../errors.js';
import { INPUT_FORMATS } from '../sources/decode.js';

/**
 * All configuration, validated here and nowhere else. Every command's options are one strict schema (unknown keys
 * are errors) with named defaults; `validate` turns every problem into one message that lists them all.
 */

export const DEFAULTS = {
  maxLineBytes: 64 * 1024,
  maxDocumentBytes: 256 * 1024 * 1024,
  cacheSize: 100_000,
  segmentBytes: 8 * 1024 * 1024,
  parallelMinBytes: 32 * 1024 * 1024,
} as const;

const common = {
  inputs: z.array(z.string().min(1)).default(['-']),
  /** The flow-log format of inputs without a header line; AWS's default 14 fields when absent. */
  logFormat: z.string().min(1).optional(),
  inputFormat: z.enum(INPUT_FORMATS).default('auto'),
  geoDb: z.array(z.string().min(1)).default([]),
  asnDb: z.array(z.string().min(1)).default([]),
  /** Every record, not only those with a public endpoint (NODATA/SKIPDATA included). */
  all: z.boolean().default(false),
  strict: z.boolean().default(false),
  maxLineBytes: z.number().int().min(256).max(16 * 1024 * 1024).default(DEFAULTS.maxLineBytes),
  maxDocumentBytes: z.number().int().min(1024).max(2 ** 31).default(DEFAULTS.maxDocumentBytes),
  cacheSize: z.number().int().min(16).max(10_000_000).default(DEFAULTS.cacheSize),
  progress: z.boolean().optional(),
  /** Worker threads for large plain-text files; 0 = one per core, 1 = none. */
  jobs: z.number().int().min(0).max(64).default(0),
  /** Bytes of a file each worker reads at a time. */
  segmentBytes: z.number().int().min(4096).max(1024 * 1024 * 1024).default(DEFAULTS.segmentBytes),
  /** Smallest file worth splitting across threads. */
  parallelMinBytes: z.number().int().min(0).default(DEFAULTS.parallelMinBytes),
};

export const EnrichConfig = z.object(common).strict();
export type EnrichConfig = z.infer<typeof EnrichConfig>;

export const ReportConfig = z.object({
  ...common,
  by: z.array(z.enum(DIMENSION_NAMES as [string, ...string[]])).min(1, 'give at least one dimension with --by'),
  top: z.number().int().positive().optional(),
  output: z.enum(['tsv', 'csv', 'json']).default('tsv'),
}).strict();
export type ReportConfig = z.infer<typeof ReportConfig>;

/** Parses options against a schema; throws one UsageError listing every problem. */
export function validate<T extends z.ZodType>(schema: T, options: unknown): z.infer<T> {
  const result = schema.safeParse(options);
  if (result.success) return Object.freeze(result.data) as z.infer<T>;
  const problems = result.error.issues.map((i) => {
    const path = i.path.length ? `--${String(i.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}` : 'options';
    return `  ${path}: ${i.message}`;
  });
  throw new UsageError(`invalid options:\n${problems.join('\n')}`);
}
