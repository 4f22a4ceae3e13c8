// MQTT-over-WebSocket viewers for bench/serve.mjs, on a thread of their own: the time a viewer reads an event is
// taken on an event loop that the sending side (building and posting bodies) never holds up, as it would not be
// for a real viewer in its own browser. Both still share the machine's two cores with the server.
import { once } from 'node:events';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import mqtt from 'mqtt';

/** Starts `n` viewers subscribed to every topic of the server on `port`; `close()` returns what they measured. */
export async function viewers(port, n) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { port, n } });
  const [ready] = await once(worker, 'message');
  if (ready !== 'ready') throw new Error(`viewers: ${ready}`);
  return {
    /** Send time and latency (ms) of every sampled event every viewer received, and all messages received. */
    close: async () => {
      worker.postMessage('close');
      const [result] = await once(worker, 'message');
      await worker.terminate();
      return result;
    },
  };
}

async function run({ port, n }) {
  const clients = await Promise.all(Array.from({ length: n }, (_, i) => mqtt.connectAsync(`ws://127.0.0.1:${port}/mqtt`,
    { clientId: `bench-${i}-${Math.random().toString(16).slice(2)}`, reconnectPeriod: 0 })));
  const sent = [];
  const latencies = [];
  let messages = 0;
  for (const c of clients) {
    c.on('message', (topic, payload) => {
      messages++;
      if (!topic.endsWith('/events')) return;
      const now = Date.now();
      for (const e of JSON.parse(payload.toString()).events) {
        const t = Number(e.resource_id);
        if (t > 0) {
          sent.push(t);
          latencies.push(now - t);
        }
      }
    });
    await c.subscribeAsync(['ipgeolocator/events', 'ipgeolocator/summary/+', 'ipgeolocator/stats']);
  }
  parentPort.on('message', async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    parentPort.postMessage({ sent, latencies, messages });
  });
  parentPort.postMessage('ready');
}

if (!isMainThread) run(workerData).catch((e) => parentPort.postMessage(String(e)));
