import { RejectCounts, type RejectCode, type Rejection } from '../errors.js';
import { KNOWN_FIELDS } from './fields.js';
import { formatOf, FormatError, looksLikeHeader, type FlowFormat } from './format.js';
import { FlowLine } from './line.js';

export interface ReaderOptions {
  /** The format of inputs that carry no header line (CloudWatch, Firehose, custom S3 files without one). */
  format: FlowFormat;
  /** Longest line accepted; longer ones are rejected and skipped, so memory stays bounded. */
  maxLineBytes?: number;
}

/** Called with each valid record; the FlowLine is reused, so read what you need before returning. */
export type RecordHandler = (line: FlowLine) => void;
export type RejectHandler = (rejection: Rejection) => void;

const DEFAULT_MAX_LINE = 64 * 1024;
const NEWLINE = 10;

/**
 * Frames lines, follows header lines, and parses each line into a FlowLine. One reader serves many inputs in
 * turn: `begin()` starts an input (back to the configured format, line 1), `chunk()` feeds it text that may split
 * lines anywhere, `end()` finishes the last line. Self-contained texts (log events, Firehose records) go through
 * `message()`.
 */
export class FlowReader {
  readonly rejects = new RejectCounts();
  lines = 0;
  records = 0;
  headers = 0;
  private line: FlowLine;
  private readonly formats = new Map<string, FlowLine>();
  private readonly maxLine: number;
  private name = '';
  private lineNo = 0;
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private skipping = false;

  constructor(private readonly opts: ReaderOptions, private readonly onRecord: RecordHandler,
    private readonly onReject: RejectHandler) {
    this.maxLine = opts.maxLineBytes ?? DEFAULT_MAX_LINE;
    this.line = new FlowLine(opts.format);
  }

  /** Lines of the current input so far, blank ones included. */
  get lineNumber(): number {
    return this.lineNo;
  }

  /** Starts an input in a given format: how a parallel worker picks up a segment where a header left off. */
  beginIn(name: string, format: FlowFormat): void {
    this.begin(name);
    this.useFormat(format);
  }

  /** The format currently in force (changes when a header line is read). */
  get format(): FlowFormat {
    return this.line.format;
  }

  begin(name: string): void {
    this.name = name;
    this.lineNo = 0;
    this.carry = [];
    this.carryBytes = 0;
    this.skipping = false;
    this.useFormat(this.opts.format);
  }

  chunk(buf: Buffer): void {
    let s = 0;
    if (this.carryBytes > 0 || this.skipping) {
      const nl = buf.indexOf(NEWLINE);
      if (nl < 0) {
        this.hold(buf);
        return;
      }
      s = nl + 1;
      if (this.skipping) {
        this.skipping = false;
      } else {
        this.carry.push(buf.subarray(0, nl));
        const joined = Buffer.concat(this.carry);
        this.carry = [];
        this.carryBytes = 0;
        this.lineNo++;
        this.handle(joined, 0, joined.length, null);
      }
    }
    for (let nl = buf.indexOf(NEWLINE, s); nl >= 0; nl = buf.indexOf(NEWLINE, s)) {
      this.lineNo++;
      this.handle(buf, s, nl, null);
      s = nl + 1;
    }
    if (s < buf.length) this.hold(buf.subarray(s));
  }

  /** Keeps the start of a line that continues in the next chunk, up to the line limit. */
  private hold(part: Buffer): void {
    if (this.skipping) return;
    this.carryBytes += part.length;
    if (this.carryBytes > this.maxLine) {
      this.lineNo++;
      this.reject(this.whereLine(), 'line_too_long', `longer than ${this.maxLine} bytes; skipped to the next line`);
      this.carry = [];
      this.carryBytes = 0;
      this.skipping = true;
      return;
    }
    this.carry.push(Buffer.from(part));
  }

  end(): void {
    if (this.carryBytes > 0) {
      const joined = Buffer.concat(this.carry);
      this.carry = [];
      this.carryBytes = 0;
      this.lineNo++;
      this.handle(joined, 0, joined.length, null);
    }
    this.skipping = false;
  }

  /** A self-contained text (one CloudWatch log event, one Firehose record) that may hold several lines. */
  message(data: Buffer, where: string): void {
    let s = 0;
    let n = 0;
    while (s <= data.length) {
      let e = data.indexOf(NEWLINE, s);
      if (e < 0) e = data.length;
      n++;
      if (e - s > this.maxLine) this.reject(n > 1 ? `${where} line ${n}` : where, 'line_too_long', `longer than ${this.maxLine} bytes`);
      else this.handle(data, s, e, n > 1 ? `${where} line ${n}` : where);
      s = e + 1;
    }
  }

  private handle(buf: Buffer, s: number, e: number, where: string | null): void {
    if (e > s && buf[e - 1] === 13) e--;
    if (isBlank(buf, s, e)) return;
    this.lines++;
    const line = this.line;
    const code = line.parse(buf, s, e);
    if (code === null && !(this.format.kinds[0] === 'text' && this.startsWithFieldName(buf, s, e))) {
      this.records++;
      this.onRecord(line);
      return;
    }
    if (this.tryHeader(buf, s, e, where)) return;
    if (code === null) {
      this.records++;
      this.onRecord(line);
    } else {
      this.reject(where ?? this.whereLine(), code, line.error);
    }
  }

  /** Cheap pre-test before the header test: does the first token name a known field? */
  private startsWithFieldName(buf: Buffer, s: number, e: number): boolean {
    const c = buf[s];
    if (c < 0x61 || c > 0x7a) return false;
    let i = s;
    while (i < e && buf[i] !== 0x20 && buf[i] !== 0x09) i++;
    return KNOWN_FIELDS.has(buf.toString('latin1', s, i));
  }

  private tryHeader(buf: Buffer, s: number, e: number, where: string | null): boolean {
    if (!this.startsWithFieldName(buf, s, e)) return false;
    const tokens = buf.toString('latin1', s, e).trim().split(/[ \t]+/);
    if (!looksLikeHeader(tokens)) return false;
    this.headers++;
    try {
      this.useFormat(formatOf(tokens));
    } catch (err) {
      if (!(err instanceof FormatError)) throw err;
      this.reject(where ?? this.whereLine(), 'bad_header', `${err.message} The previous format stays in force.`);
    }
    return true;
  }

  private useFormat(format: FlowFormat): void {
    const key = format.fields.join(' ');
    let line = this.formats.get(key);
    if (line === undefined) {
      // Bounded: an input that changes header on every line must not grow memory.
      if (this.formats.size >= 64) this.formats.clear();
      line = new FlowLine(format);
      this.formats.set(key, line);
    }
    this.line = line;
  }

  private whereLine(): string {
    return `${this.name}:${this.lineNo}`;
  }

  private reject(where: string, code: RejectCode, detail: string): void {
    this.rejects.add(code);
    this.onReject({ where, code, detail });
  }

  /** Counts a rejection found while decoding (bad base64, bad gzip…) beside the line rejections. */
  rejectPiece(r: Rejection): void {
    this.reject(r.where, r.code, r.detail);
  }
}

function isBlank(buf: Buffer, s: number, e: number): boolean {
  for (let i = s; i < e; i++) if (buf[i] !== 0x20 && buf[i] !== 0x09) return false;
  return true;
}
