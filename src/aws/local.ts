import { readFileSync } from 'node:fs';
import { handler, shutdown } from './lambda.js';

/**
 * `npm run lambda:local -- EVENT.json [EVENT.json…]`: invokes the Lambda handler on event files exactly as Lambda
 * would, publishing to the broker named by IPGEO_MQTT_URL — the whole handler, end to end, without AWS.
 */
async function main(files: string[]): Promise<number> {
  process.env.IPGEO_LOG_STDERR ??= '1';
  if (files.length === 0) {
    process.stderr.write('usage: npm run lambda:local -- EVENT.json [EVENT.json…]  (with IPGEO_MQTT_URL=mqtt://host:port)\n');
    return 2;
  }
  for (const f of files) {
    const result = await handler(JSON.parse(readFileSync(f, 'utf8')));
    process.stdout.write(`${JSON.stringify({ event: f, ...result })}\n`);
  }
  await shutdown();
  return 0;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err) => {
  process.stderr.write(`lambda:local: ${(err as Error).message}\n`);
  process.exitCode = 1;
});
