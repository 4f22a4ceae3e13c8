import { DIMENSION_NAMES } from '../aggregate/dimensions.js';

const INPUTS = `Inputs (FILE or - for stdin; the kind is told by content, --input-format to force it):
  plain text flow logs (an S3-style header line switches the format for the rest of the file),
  gzip (also multi-member), a CloudWatch Logs subscription event as Lambda receives it
  ({"awslogs":{"data":…}}), decoded CloudWatch Logs JSON, an Amazon Data Firehose HTTP-endpoint
  request body, or JSON lines of {"message": "<record>"}.`;

const COMMON = `  --log-format FMT     flow-log format of inputs without a header line: '\${version} \${srcaddr} …'
                       or a field list 'version srcaddr …' (default: AWS's 14-field version 2 format)
  --input-format F     auto|text|gzip|json|cloudwatch|firehose|ndjson (default auto)
  --geo-db FILE.mmdb   location database (MaxMind GeoIP2/GeoLite2 City or Country, DB-IP, IPinfo);
                       repeatable; default: the bundled DB-IP Lite City (CC BY 4.0)
  --asn-db FILE.mmdb   AS number/organisation database (GeoLite2-ASN or compatible); default: the
                       bundled ip-location-db ASN table (RouteViews + DB-IP, CC BY 4.0)
  --all                every record, not only those with a public endpoint (NODATA/SKIPDATA too)
  --strict             exit 1 when any line was rejected
  --max-line-bytes N   longest accepted line (default 65536)
  --no-progress        no progress line on a terminal
  --jobs N             threads for large plain-text files (default: one per core; 1 = none)
  --segment-bytes N    bytes a thread reads at a time (default 8 MiB)
  --parallel-min-bytes N  smallest file split across threads (default 32 MiB)`;

export const HELP: Record<string, string> = {
  main: `ipgeolocator — where the traffic in your AWS VPC Flow Logs comes from

Usage:
  ipgeolocator serve [FILE|DIR|-]... [options]     live map: pipeline, MQTT broker, dashboard (demo if no input)
  ipgeolocator enrich [FILE|-]... [options]        enriched records as NDJSON on stdout
  ipgeolocator report [FILE|-]... --by DIMS [options]   records/packets/bytes by dimensions
  ipgeolocator sample [--records N] [--seed S]     synthetic flow logs, to try it without AWS
  ipgeolocator help COMMAND | --version

Run "ipgeolocator help serve", "help enrich" or "help report" for options.
IP geolocation by DB-IP (https://db-ip.com), CC BY 4.0.
`,
  enrich: `ipgeolocator enrich [FILE|-]... [options]

Writes one JSON object per record: the record's fields (AWS names with "-" as "_"), then
"direction" (inbound, outbound, internal, external) and "src_geo"/"dst_geo" (null for a
non-public side). Rejected lines go to stderr as FILE:LINE: reason; a summary follows.

${INPUTS}

Options:
  --format FMT         same as --log-format
${COMMON}
`,
  report: `ipgeolocator report [FILE|-]... --by DIMS [--top N] [--format tsv|csv|json] [options]

Aggregates records, packets and bytes by dimensions, largest first.
Dimensions: ${DIMENSION_NAMES.join(', ')}

${INPUTS}

Options:
  --by DIMS            comma-separated dimensions (required)
  --top N              only the N largest groups
  --format F           tsv (default), csv or json
${COMMON}
`,
};
