import { parseArgs, type ParseArgsConfig } from 'node:util';
import { EnrichConfig, ReportConfig, validate } from '../config/schema.js';
import { UsageError } from '../errors.js';
import { FormatError, parseFormat } from '../parse/format.js';
import { HELP, SERVE_HELP } from './help.js';

const COMMON: ParseArgsConfig['options'] = {
  'log-format': { type: 'string' },
  'input-format': { type: 'string' },
  'geo-db': { type: 'string', multiple: true },
  'asn-db': { type: 'string', multiple: true },
  all: { type: 'boolean' },
  strict: { type: 'boolean' },
  'max-line-bytes': { type: 'string' },
  'max-document-bytes': { type: 'string' },
  'cache-size': { type: 'string' },
  progress: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  jobs: { type: 'string' },
  'segment-bytes': { type: 'string' },
  'parallel-min-bytes': { type: 'string' },
  exclude: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
};

const REPORT: ParseArgsConfig['options'] = {
  ...COMMON,
  format: { type: 'string' },
  by: { type: 'string' },
  top: { type: 'string' },
};

const ENRICH: ParseArgsConfig['options'] = { ...COMMON, format: { type: 'string' } };

type Values = Record<string, string | boolean | string[] | undefined>;

const int = (v: unknown) => (v === undefined ? undefined : Number(v));
const OUTPUTS = new Set(['tsv', 'csv', 'json']);

/** Options shared by the batch commands, in the schema's spelling. */
function commonOptions(values: Values, positionals: string[], logFormat: unknown) {
  return {
    inputs: positionals.length ? positionals : undefined,
    exclude: values.exclude,
    logFormat,
    inputFormat: values['input-format'],
    geoDb: values['geo-db'],
    asnDb: values['asn-db'],
    all: values.all,
    strict: values.strict,
    maxLineBytes: int(values['max-line-bytes']),
    maxDocumentBytes: int(values['max-document-bytes']),
    cacheSize: int(values['cache-size']),
    progress: values['no-progress'] ? false : values.progress,
    jobs: int(values.jobs),
    segmentBytes: int(values['segment-bytes']),
    parallelMinBytes: int(values['parallel-min-bytes']),
  };
}

function parse(argv: string[], options: ParseArgsConfig['options']): { values: Values; positionals: string[] } {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true }) as { values: Values; positionals: string[] };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Checks a log format early so a typo is a usage error with the reason, not a failure mid-run. */
function checkLogFormat(spec: unknown): void {
  if (typeof spec !== 'string') return;
  try {
    parseFormat(spec);
  } catch (err) {
    if (err instanceof FormatError) throw new UsageError(`--log-format: ${err.message}`);
    throw err;
  }
}

/**
 * The batch commands write to stdout, often a pipe into `head` or `less` that closes before the end. Like a C tool
 * that SIGPIPE ends, stop at once and quietly, with the status a shell shows for that (128 + 13), not with an
 * unhandled-error stack trace.
 */
function stopQuietlyOnClosedPipe(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(141);
    throw err;
  });
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // `serve` writes only its log there, and decides for itself how to end.
  if (command !== 'serve') stopQuietlyOnClosedPipe();
  try {
    // Each command loads only its own modules: report and enrich never load the server's (tens of MiB).
    switch (command) {
      case 'enrich': {
        const { values, positionals } = parse(rest, ENRICH);
        if (values.help) return help('enrich');
        const logFormat = values['log-format'] ?? values.format;
        checkLogFormat(logFormat);
        const { enrichCommand } = await import('./enrich.js');
        return await enrichCommand(validate(EnrichConfig, commonOptions(values, positionals, logFormat)));
      }
      case 'report': {
        const { values, positionals } = parse(rest, REPORT);
        if (values.help) return help('report');
        const format = values.format as string | undefined;
        if (format !== undefined && !OUTPUTS.has(format)) {
          throw new UsageError(`--format takes tsv, csv or json in report; give the flow-log format with --log-format`);
        }
        checkLogFormat(values['log-format']);
        const { reportCommand } = await import('./report.js');
        return await reportCommand(validate(ReportConfig, {
          ...commonOptions(values, positionals, values['log-format']),
          by: typeof values.by === 'string' ? values.by.split(',').map((d) => d.trim()).filter(Boolean) : undefined,
          top: int(values.top),
          output: format,
        }));
      }
      case 'serve': {
        const { serveCommand } = await import('./serve.js');
        return await serveCommand(rest);
      }
      case 'sample': {
        const { values } = parse(rest, { records: { type: 'string' }, seed: { type: 'string' } });
        const records = Number(values.records ?? 100_000);
        const seed = Number(values.seed ?? 42);
        if (!Number.isInteger(records) || records < 0) throw new UsageError('--records takes a whole number');
        if (!Number.isInteger(seed)) throw new UsageError('--seed takes a whole number');
        const { sampleCommand } = await import('./sample.js');
        return await sampleCommand(records, seed);
      }
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        return help(rest[0] ?? 'main');
      case '--version':
      case 'version':
        process.stdout.write(`${await version()}\n`);
        return 0;
      default:
        throw new UsageError(`unknown command "${command}"; try "ipgeolocator --help"`);
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`ipgeolocator: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

function help(topic: string): number {
  process.stdout.write(topic === 'serve' ? SERVE_HELP : HELP[topic] ?? HELP.main);
  return 0;
}

async function version(): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
