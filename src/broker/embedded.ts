import { createServer, type Server as NetServer, type Socket } from 'node:net';
import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { Aedes, type Client } from 'aedes';
import { WebSocketServer, createWebSocketStream, type WebSocket } from 'ws';
import type { Logger } from 'pino';
import type { Publisher } from '../sinks/mqtt.js';
import { secretMatches } from './secret.js';

export interface BrokerOptions {
  /** Viewers may only subscribe under this prefix. */
  topicPrefix: string;
  /** When set, viewers must send it as their MQTT password. */
  viewerToken?: string;
  /** A viewer with more unsent bytes than this is disconnected. */
  viewerBufferBytes: number;
  log: Logger;
}

/** MQTT CONNACK return code 5: not authorized (MQTT 3.1.1 §3.2.2.3). */
const NOT_AUTHORIZED = 5;

/**
 * The embedded MQTT broker (Aedes): over WebSockets at /mqtt on the HTTP server, and over plain TCP. Viewers are
 * read-only: every publish from a client (wills included) is refused and the client disconnected (MQTT-3.3.5-2
 * allows closing); subscriptions outside the topic prefix are answered with failure 0x80. Only this process
 * publishes, through `publish()`. A viewer that stops reading is cut off once its unsent data passes the limit,
 * so it never holds back the others.
 */
export class EmbeddedBroker implements Publisher {
  readonly aedes: Aedes;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly sockets = new Set<{ bufferedAmount: () => number; destroy: () => void }>();
  private tcp: NetServer | null = null;
  private watchdog: NodeJS.Timeout;
  viewersDropped = 0;
  /** Aedes delivers or drops per viewer; nothing is dropped before it. */
  readonly dropped = 0;

  private constructor(aedes: Aedes, private readonly opts: BrokerOptions) {
    this.aedes = aedes;
    aedes.authenticate = (_client: Client, _user: string | undefined, password: Buffer | undefined, done) => {
      if (opts.viewerToken === undefined || secretMatches(password, opts.viewerToken)) return done(null, true);
      const err = Object.assign(new Error('Not authorized: wrong or missing viewer token.'), { returnCode: NOT_AUTHORIZED });
      done(err, false);
    };
    aedes.authorizePublish = (client, packet, done) => {
      opts.log.warn({ client: client?.id, topic: packet.topic }, 'Refused a publish from a viewer; viewers are read-only.');
      done(new Error('viewers may not publish'));
    };
    aedes.authorizeSubscribe = (_client, sub, done) => {
      const ok = sub.topic === opts.topicPrefix || sub.topic.startsWith(`${opts.topicPrefix}/`);
      done(null, ok ? sub : null);
    };
    this.watchdog = setInterval(() => this.dropSlowViewers(), 250);
    this.watchdog.unref();
  }

  static async create(opts: BrokerOptions): Promise<EmbeddedBroker> {
    // drainTimeout: a client whose socket never drains is dropped by Aedes too, as a second line of defence.
    const aedes = await Aedes.createBroker({ concurrency: 1000, drainTimeout: 5000, maxClientsIdLength: 128 });
    return new EmbeddedBroker(aedes, opts);
  }

  /** Serves MQTT over WebSockets at `path` on an HTTP server. */
  attachWebSocket(server: HttpServer, path = '/mqtt'): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (new URL(req.url ?? '/', 'http://x').pathname !== path) return;
      this.wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
        const stream = createWebSocketStream(ws);
        // ws's stream terminates the socket on destroy, which can lose the last packet Aedes wrote (a CONNACK
        // refusing a viewer, say): close gracefully instead, so queued frames go out before the close frame.
        stream._destroy = (err, done) => {
          if (ws.readyState === ws.CLOSED) return done(err);
          ws.once('close', () => done(err));
          ws.close();
          setTimeout(() => ws.terminate(), 2000).unref();
        };
        // mqtt-packet writes a packet in pieces (header, length, topic, payload) to a corked stream, and ws's stream
        // sends each piece as a frame of its own: five frames and five system calls a message for every viewer.
        // One frame for what was corked together instead (MQTT 3.1.1 §6.0 lets a frame hold several or partial
        // packets).
        stream._writev = (chunks, done) => stream._write(Buffer.concat(chunks.map((c) => c.chunk as Buffer)), 'binary', done);
        const entry = { bufferedAmount: () => ws.bufferedAmount + stream.writableLength, destroy: () => ws.terminate() };
        this.track(entry, stream);
        this.aedes.handle(stream as never, req as never);
      });
    });
  }

  /** Serves MQTT over plain TCP. */
  async listenTcp(port: number, host: string): Promise<number> {
    const tcp = createServer((socket: Socket) => {
      const entry = { bufferedAmount: () => socket.writableLength, destroy: () => socket.destroy() };
      this.track(entry, socket);
      this.aedes.handle(socket as never);
    });
    this.tcp = tcp;
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen(port, host, () => resolve());
    });
    const address = tcp.address();
    return typeof address === 'object' && address !== null ? address.port : port;
  }

  private track(entry: { bufferedAmount: () => number; destroy: () => void }, stream: Duplex): void {
    this.sockets.add(entry);
    stream.on('close', () => this.sockets.delete(entry));
    stream.on('error', () => this.sockets.delete(entry));
  }

  private dropSlowViewers(): void {
    for (const s of this.sockets) {
      if (s.bufferedAmount() > this.opts.viewerBufferBytes) {
        this.viewersDropped++;
        this.opts.log.warn({ buffered: s.bufferedAmount() }, 'Disconnected a viewer that stopped reading.');
        this.sockets.delete(s);
        s.destroy();
      }
    }
  }

  get viewers(): number {
    return this.aedes.connectedClients;
  }

  publish(topic: string, payload: string | Buffer, retain: boolean): void {
    // Encoded once here: a string payload would be encoded again for every subscriber.
    const body = typeof payload === 'string' ? Buffer.from(payload) : payload;
    this.aedes.publish({ cmd: 'publish', topic, payload: body, qos: 0, retain, dup: false } as never, () => {});
  }

  async close(): Promise<void> {
    clearInterval(this.watchdog);
    for (const s of this.sockets) s.destroy();
    this.wss.close();
    await new Promise<void>((resolve) => this.aedes.close(() => resolve()));
    if (this.tcp !== null) await new Promise<void>((resolve) => this.tcp!.close(() => resolve()));
  }
}
