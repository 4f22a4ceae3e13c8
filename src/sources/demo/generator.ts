import { classifyV4, PUBLIC } from '../../classify/classify.js';
import { formatIPv4 } from '../../parse/address.js';

/**
 * A deterministic generator of realistic VPC flow logs (version 2 format), for the demo stream and benchmarks:
 * - clients: public peers drawn with Zipf popularity from the whole public IPv4 space, talking to our web tier;
 * - scanners on SSH, telnet, RDP and SMB from many networks, mostly REJECTed;
 * - outbound calls from our instances to public APIs on 443;
 * - private east-west traffic between our subnets;
 * - a little IPv6, and ~1% NODATA status records.
 * Same seed, same lines: benchmark inputs are reproducible without being stored.
 * Given a `space`, peers come from announced networks and API calls go to cloud providers, as in real logs; without
 * one, from anywhere in the public space (the benchmark's inputs, kept as they were measured).
 */
export interface GeneratorOptions {
  seed?: number;
  /** Distinct public client addresses. */
  clients?: number;
  scanners?: number;
  /** Unix seconds of the first record. */
  startTime?: number;
  /** Average records per second of log time (spreads start/end). */
  recordsPerSecond?: number;
  accountId?: string;
  space?: DemoAddressSpace;
}

/** Where real peers are: what the demo draws addresses from (see address-space.ts). */
export interface DemoAddressSpace {
  /** Whether a public address is in a network that some AS announces. */
  routedV4(ip: number): boolean;
  routedV6(address: string): boolean;
  /** IPv4 ranges [first, last] of the cloud providers whose APIs our instances call. */
  cloud: ReadonlyArray<readonly [number, number]>;
}

/** mulberry32: tiny, fast, good enough for synthetic traffic. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cumulative Zipf weights (exponent s) for n ranks, sampled by bisection. */
function zipf(n: number, s: number): Float64Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) cdf[i] = sum += 1 / (i + 1) ** s;
  for (let i = 0; i < n; i++) cdf[i] /= sum;
  return cdf;
}

function sample(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const SCAN_PORTS = [22, 23, 3389, 445, 22, 22, 3389];
const SERVICE_PORTS = [443, 443, 443, 80, 8443];
const EAST_WEST_PORTS = [5432, 6379, 9092, 8080, 443, 3306, 2049];

export class FlowLogGenerator {
  private readonly random: () => number;
  private readonly clients: string[];
  private readonly clientCdf: Float64Array;
  private readonly scanners: string[];
  private readonly scannerCdf: Float64Array;
  private readonly apis: string[];
  private readonly enis: string[];
  private readonly hosts: string[];
  private time: number;
  private readonly step: number;
  private readonly account: string;
  private readonly space: DemoAddressSpace | undefined;

  constructor(opts: GeneratorOptions = {}) {
    this.random = rng(opts.seed ?? 42);
    this.space = opts.space;
    this.clients = this.publicAddresses(opts.clients ?? 50_000);
    this.clientCdf = zipf(this.clients.length, 1.1);
    this.scanners = this.publicAddresses(opts.scanners ?? 5_000);
    this.scannerCdf = zipf(this.scanners.length, 0.8);
    this.apis = this.space?.cloud.length ? this.cloudAddresses(200, this.space.cloud) : this.publicAddresses(200);
    this.enis = Array.from({ length: 24 }, (_, i) => `eni-0${(0x1a2b3c4d5e6f7000 + i * 7919).toString(16).slice(0, 16)}`);
    this.hosts = Array.from({ length: 24 }, (_, i) => `10.0.${(i % 4) * 16 + 1}.${10 + i}`);
    this.time = opts.startTime ?? 1_767_225_600;
    this.step = 1 / (opts.recordsPerSecond ?? 1000);
    this.account = opts.accountId ?? '123456789012';
  }

  private int(n: number): number {
    return Math.floor(this.random() * n);
  }

  private pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)];
  }

  private publicAddresses(n: number): string[] {
    const out: string[] = [];
    // After a thousand tries per address wanted, any public one does: a space that announces almost nothing must
    // not stall the demo.
    for (let tries = 0; out.length < n; tries++) {
      const ip = this.int(2 ** 32);
      if (classifyV4(ip) === PUBLIC && (tries > 1000 * n || (this.space?.routedV4(ip) ?? true))) out.push(formatIPv4(ip));
    }
    return out;
  }

  /** Public addresses in the given ranges, a range drawn first (so small networks are not drowned by large). */
  private cloudAddresses(n: number, ranges: ReadonlyArray<readonly [number, number]>): string[] {
    const out: string[] = [];
    for (let tries = 0; out.length < n && tries < 100 * n; tries++) {
      const [first, last] = this.pick(ranges);
      const ip = first + this.int(last - first + 1);
      if (classifyV4(ip) === PUBLIC) out.push(formatIPv4(ip));
    }
    return out.length > 0 ? out : this.publicAddresses(n);
  }

  private ipv6Client(): string {
    const hex = () => this.int(0x10000).toString(16);
    let address = '';
    for (let tries = 0; tries < 1000; tries++) { // the last one drawn does, if none is announced
      address = `2a0${this.int(10)}:${hex()}:${hex()}::${hex()}`;
      if (this.space?.routedV6(address) ?? true) break;
    }
    return address;
  }

  /** The next record, as one line of text without a newline. */
  line(): string {
    this.time += this.step;
    const end = Math.floor(this.time);
    const start = end - 1 - this.int(59);
    const i = this.int(this.enis.length);
    const eni = this.enis[i];
    const host = this.hosts[i];
    const head = `2 ${this.account} ${eni}`;
    const r = this.random();
    if (r < 0.01) return `${head} - - - - - - - ${start} ${end} - NODATA`;
    if (r < 0.5) {
      const client = this.random() < 0.04 ? this.ipv6Client() : this.clients[sample(this.clientCdf, this.random())];
      const port = this.pick(SERVICE_PORTS);
      const inbound = this.random() < 0.5;
      const packets = 1 + this.int(200);
      const bytes = packets * (60 + this.int(1400));
      const action = this.random() < 0.97 ? 'ACCEPT' : 'REJECT';
      const eport = 1024 + this.int(64000);
      return inbound
        ? `${head} ${client} ${host} ${eport} ${port} 6 ${packets} ${bytes} ${start} ${end} ${action} OK`
        : `${head} ${host} ${client} ${port} ${eport} 6 ${packets} ${bytes} ${start} ${end} ${action} OK`;
    }
    if (r < 0.75) {
      const scanner = this.scanners[sample(this.scannerCdf, this.random())];
      const action = this.random() < 0.9 ? 'REJECT' : 'ACCEPT';
      const proto = this.random() < 0.95 ? 6 : 17;
      return `${head} ${scanner} ${host} ${1024 + this.int(64000)} ${this.pick(SCAN_PORTS)} ${proto} 1 ${40 + this.int(20)} ${start} ${end} ${action} OK`;
    }
    if (r < 0.88) {
      const api = this.pick(this.apis);
      const packets = 2 + this.int(50);
      return `${head} ${host} ${api} ${1024 + this.int(64000)} 443 6 ${packets} ${packets * (100 + this.int(1200))} ${start} ${end} ACCEPT OK`;
    }
    const peer = this.pick(this.hosts);
    const packets = 1 + this.int(500);
    return `${head} ${host} ${peer} ${1024 + this.int(64000)} ${this.pick(EAST_WEST_PORTS)} 6 ${packets} ${packets * (80 + this.int(1400))} ${start} ${end} ACCEPT OK`;
  }
}
