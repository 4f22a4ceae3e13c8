import { ABSENT, Direction, Endpoints } from '../classify/endpoints.js';
import { PUBLIC } from '../classify/classify.js';
import type { FlowLine } from '../parse/line.js';
import type { Enricher, Located } from './enricher.js';

/**
 * A parsed line seen through the pipeline's eyes: its real endpoints, their classes, the direction, and where the
 * public ones are. Reused for every line, like the FlowLine it reads.
 */
export class FlowView {
  readonly endpoints = new Endpoints();
  src: Located | null = null;
  dst: Located | null = null;

  constructor(private readonly enricher: Enricher) {}

  /** Loads every database now rather than on first use. */
  warm(): void {
    this.enricher.warm();
  }

  /** The data sources the enricher uses (for attribution). */
  sources() {
    return this.enricher.sources();
  }

  read(line: FlowLine): void {
    const ep = this.endpoints;
    ep.read(line);
    this.src = ep.srcClass === PUBLIC ? this.locate(line, ep.srcCol, ep.srcV4) : null;
    this.dst = ep.dstClass === PUBLIC ? this.locate(line, ep.dstCol, ep.dstV4) : null;
  }

  private locate(line: FlowLine, col: number, v4: number): Located {
    return v4 >= 0 ? this.enricher.locateV4(v4) : this.enricher.locateV6(line.v6, col * 4);
  }

  /** At least one endpoint is public: the records the map is about. */
  get hasPublic(): boolean {
    return this.src !== null || this.dst !== null;
  }

  /** True when the line has addresses at all (status records and sparse custom formats may have none). */
  get hasAddresses(): boolean {
    return this.endpoints.srcClass !== ABSENT || this.endpoints.dstClass !== ABSENT;
  }

  /**
   * The remote (public) side: the source for inbound and external traffic, the destination for outbound. Null when
   * neither side is public.
   */
  get remote(): Located | null {
    return this.remoteIsSource ? this.src : this.dst;
  }

  /** True when the remote side is the source. */
  get remoteIsSource(): boolean {
    return this.src !== null && (this.dst === null || this.endpoints.direction !== Direction.outbound);
  }
}
