// Compiles the bundled ASN tables (CSV) into the arrays a run loads with one read (src/enrich/asn-compiled.ts):
// node scripts/compile-asn.mjs [DATA_DIR]. With DATA_DIR (a Lambda bundle's data folder), the CSVs there; else the
// installed package's, into dist/data. Needs the TypeScript build (dist/).
import { AsnRanges } from '../dist/enrich/asn-table.js';
import { compiledPath } from '../dist/enrich/asn-compiled.js';
import { bundledPaths } from '../dist/enrich/sources.js';

const dataDir = process.argv[2];
if (dataDir !== undefined) process.env.IPGEO_DATA_DIR = dataDir;
const [v4, v6] = bundledPaths().asn;
for (const [csv, family] of [[v4, 4], [v6, 6]]) AsnRanges.compile(csv, family, compiledPath(csv, dataDir));
