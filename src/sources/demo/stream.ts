import { bundledAddressSpace } from './address-space.js';
import { FlowLogGenerator } from './generator.js';

/**
 * The demo source: realistic flow logs at a steady rate, stamped with the current time, delivered in small
 * batches ten times a second — so a new user sees a living map within seconds, with no AWS account.
 */
export class DemoStream {
  private timer: NodeJS.Timeout | null = null;
  private readonly gen: FlowLogGenerator;
  private owed = 0;
  private last = Date.now();

  constructor(private readonly rate: number, private readonly onData: (chunk: Buffer) => void, seed = Date.now() % 1e9) {
    this.gen = new FlowLogGenerator({ seed, startTime: Math.floor(Date.now() / 1000) - 60, recordsPerSecond: rate,
      space: bundledAddressSpace() });
  }

  start(): void {
    this.timer = setInterval(() => this.emit(), 100);
  }

  private emit(): void {
    const now = Date.now();
    this.owed += ((now - this.last) / 1000) * this.rate;
    this.last = now;
    const n = Math.floor(this.owed);
    if (n === 0) return;
    this.owed -= n;
    let text = '';
    for (let i = 0; i < n; i++) text += `${this.gen.line()}\n`;
    this.onData(Buffer.from(text));
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
  }
}
