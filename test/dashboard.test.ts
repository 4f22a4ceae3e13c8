import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { RunningServer } from '../src/server/serve.js';
import { V2 } from './samples.js';
import { freePort, tempDir, testServer } from './server-helpers.js';

/** Debian's Chromium, launched as the project's rules say. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

const ARTIFACTS = new URL('../test-artifacts/', import.meta.url).pathname;
mkdirSync(ARTIFACTS, { recursive: true });

// A known replay: 7 records from 8.8.8.8 (US), 4 from 81.2.69.142 (GB), 2 to 1.1.1.1 (AU), plus records the map
// must not count (internal traffic, NODATA).
const rec = (src: string, dst: string, action: string) => `2 123456789010 eni-0a1b2c3d4e5f67890 ${src} ${dst} 443 51000 6 10 1000 1700000000 1700000060 ${action} OK`;
const FIXTURE = [
  ...Array(7).fill(rec('8.8.8.8', '10.0.0.5', 'ACCEPT')),
  ...Array(4).fill(rec('81.2.69.142', '10.0.0.5', 'REJECT')),
  ...Array(2).fill(rec('10.0.0.5', '1.1.1.1', 'ACCEPT')),
  V2.internal, V2.internal, V2.internal, V2.nodata,
].join('\n');

async function tableRows(page: Page, table: string): Promise<string[][]> {
  return page.$$eval(`section[data-table="${table}"] tbody tr`, (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent ?? '')));
}

describe('the dashboard in a real browser', () => {
  let browser: Browser;
  let server: RunningServer;
  let port: number;
  let input: string;
  const errors: string[] = [];
  const offHost: string[] = [];
  let page: Page;

  before(async () => {
    input = join(tempDir(), 'replay.log');
    writeFileSync(input, `${FIXTURE}\n`);
    port = await freePort();
    server = await testServer({ port, inputs: [input], mqttPort: 0 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('request', (r) => {
      const u = new URL(r.url());
      // blob: URLs are made by the page itself (MQTT.js's timer worker); they never leave the browser.
      if (u.protocol !== 'data:' && u.protocol !== 'blob:' && u.host !== `127.0.0.1:${port}`) offHost.push(r.url());
    });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('loads with no console errors and no request off the host', async () => {
    await page.goto(`${server.url}/?w=15m`);
    await page.waitForFunction(() => document.querySelector('#connection')?.textContent === 'live');
    await page.waitForSelector('section[data-table="countries"] tbody tr[data-key="US"]');
    assert.deepEqual(errors, []);
    assert.deepEqual(offHost, []);
    const csp = (await page.request.get(`${server.url}/`)).headers()['content-security-policy'];
    assert.match(csp, /default-src 'self'/);
    assert.match(await page.textContent('#attribution') ?? '', /IP Geolocation by DB-IP/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-1280x720.png'), fullPage: true });
  });

  it('shows the replayed countries with exact counts', async () => {
    const rows = await tableRows(page, 'countries');
    assert.deepEqual(rows.map((r) => [r[0], r[1], r[3]]), [
      ['United States (US)', '7', '0%'], ['United Kingdom (GB)', '4', '100%'], ['Australia (AU)', '2', '0%'],
    ]);
    // Every replayed flow is between port 443 and an ephemeral port: one service, HTTPS.
    assert.deepEqual((await tableRows(page, 'ports')).map((r) => [r[0], r[1]]), [['TCP 443 (https)', '13']]);
  });

  it('filters the whole page to a country clicked on the map', async () => {
    const box = (await page.locator('#map').boundingBox())!;
    const [x, y] = await page.evaluate(() => (window as any).__ipgeo.map.pointOf(-100, 40));
    await page.mouse.click(box.x + x, box.y + y);
    await page.waitForFunction(() => location.search.includes('country=US'));
    await page.waitForFunction(() => document.querySelectorAll('section[data-table="countries"] tbody tr').length === 1);
    assert.deepEqual((await tableRows(page, 'countries')).map((r) => [r[0], r[1]]), [['United States (US)', '7']]);
    const cities = await tableRows(page, 'cities');
    assert.ok(cities.every((r) => r[0].endsWith(', US')), JSON.stringify(cities));
    assert.match(await page.textContent('#filters') ?? '', /Country: United States/);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-filtered-us.png'), fullPage: true });
    await page.keyboard.press('Escape');
  });

  it('keeps the view in the URL, so a shared link opens the same view', async () => {
    const shared = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await shared.goto(`${server.url}/?w=15m&action=REJECT`);
    await shared.waitForFunction(() => document.querySelectorAll('section[data-table="countries"] tbody tr').length === 1);
    assert.deepEqual((await tableRows(shared, 'countries')).map((r) => [r[0], r[1]]), [['United Kingdom (GB)', '4']]);
    await shared.emulateMedia({ colorScheme: 'dark' });
    await shared.evaluate(() => { localStorage.removeItem('ipgeo-theme'); });
    await shared.reload();
    await shared.waitForSelector('section[data-table="countries"] tbody tr[data-key="GB"]');
    assert.equal(await shared.evaluate(() => document.documentElement.dataset.theme), 'dark');
    await shared.screenshot({ path: join(ARTIFACTS, 'dashboard-1920x1080-dark-rejects.png'), fullPage: true });
    await shared.close();
  });

  it('recovers by itself when the server restarts', async () => {
    await server.stop();
    await page.waitForFunction(() => document.querySelector('#connection')?.textContent !== 'live', null, { timeout: 15_000 });
    server = await testServer({ port, inputs: [input], mqttPort: 0 });
    await page.waitForFunction(() => document.querySelector('#connection')?.textContent === 'live', null, { timeout: 20_000 });
    await page.waitForSelector('section[data-table="countries"] tbody tr[data-key="GB"]', { timeout: 15_000 });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-after-restart.png'), fullPage: true });
    assert.deepEqual(errors.filter((e) => !/WebSocket|ERR_CONNECTION_REFUSED|Failed to load resource/.test(e)), []);
  });
});
