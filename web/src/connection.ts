import mqtt, { type MqttClient } from 'mqtt';
import type { Store } from './store';

export interface DashboardConfig {
  topicPrefix: string;
  /** Full broker URL (AWS mode, or an external broker), or null for this host's /mqtt. */
  mqttUrl: string | null;
  mqttPath: string;
  viewerTokenRequired: boolean;
  homeRegion: string | null;
  attribution: Array<{ text: string; url: string | null }>;
  filterApi: boolean;
  /** Client ids start with this (AWS IoT policies allow viewers to connect only with their prefix). */
  clientIdPrefix?: string;
}

/** A unique id per page load: the original used one fixed id, so viewers kicked each other off. */
const clientId = (prefix = 'ipgeo-viewer-') => `${prefix}${crypto.getRandomValues(new Uint32Array(2)).join('')}`;

/**
 * Connects to the broker over WebSockets, subscribes to the summaries, events and stats, and keeps reconnecting
 * after a broker or server restart; retained summaries rebuild the page's state on every (re)connection.
 */
export function connect(cfg: DashboardConfig, store: Store, transformWsUrl?: (url: string) => string): MqttClient {
  const base = cfg.mqttUrl ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${cfg.mqttPath}`;
  const token = new URLSearchParams(location.hash.slice(1)).get('token') ?? undefined;
  const client = mqtt.connect(base, {
    clientId: clientId(cfg.clientIdPrefix), reconnectPeriod: 2000, connectTimeout: 10_000, clean: true, keepalive: 30,
    ...(token ? { username: 'viewer', password: token } : {}),
    // AWS IoT Core wants a freshly signed URL on every (re)connection.
    ...(transformWsUrl ? { transformWsUrl: (url: string) => transformWsUrl(url) } : {}),
  });
  const prefix = cfg.topicPrefix;
  client.on('connect', () => {
    store.connection = 'live';
    store.connectionDetail = '';
    client.subscribe([`${prefix}/summary/+`, `${prefix}/events`, `${prefix}/stats`], { qos: 0 });
    store.changed();
  });
  client.on('reconnect', () => {
    store.connection = 'reconnecting';
    store.changed();
  });
  client.on('offline', () => {
    store.connection = 'offline';
    store.changed();
  });
  client.on('error', (err) => {
    store.connectionDetail = err.message;
    store.changed();
  });
  client.on('message', (topic, payload) => {
    let msg: any;
    try {
      msg = JSON.parse(new TextDecoder().decode(payload));
    } catch {
      return;
    }
    if (topic.startsWith(`${prefix}/summary/`)) store.putSummary(msg);
    else if (topic === `${prefix}/events` && Array.isArray(msg.events)) store.putEvents(msg.events, Number(msg.skipped) || 0);
  });
  return client;
}
