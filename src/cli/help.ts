import { DIMENSION_NAMES } from '../aggregate/dimensions.js';

const INPUTS = `Inputs (FILE, DIR for every file under it in path order as in an S3 export, or - for stdin;
the kind is told by content, --input-format to force it):
  plain text flow logs (an S3-style header line switches the format for the rest of the file),
  gzip (also multi-member), a CloudWatch Logs subscription event as Lambda receives it
  ({"awslogs":{"data":…}}), decoded CloudWatch Logs JSON, an Amazon Data Firehose HTTP-endpoint
  request body, or JSON lines of {"message": "<record>"}.`;

const COMMON = `  --exclude GLOB       leave out files under a DIR input that match (repeatable): '*.json',
                       '**/CloudTrail/**' (below the DIR given; a pattern without / is a file name)
  --log-format FMT     flow-log format of inputs without a header line: '\${version} \${srcaddr} …'
                       or a field list 'version srcaddr …' (default: AWS's 14-field version 2 format)
  --input-format F     auto|text|gzip|json|cloudwatch|firehose|ndjson (default auto)
  --geo-db FILE.mmdb   location database (MaxMind GeoIP2/GeoLite2 City or Country, DB-IP, IPinfo);
                       repeatable; default: the bundled DB-IP Lite City (CC BY 4.0)
  --asn-db FILE.mmdb   AS number/organisation database (GeoLite2-ASN or compatible); default: the
                       bundled ip-location-db ASN table (RouteViews + DB-IP, CC BY 4.0)
  --all                every record, not only those with a public endpoint (NODATA/SKIPDATA too)
  --strict             exit 1 when any line was rejected
  --max-line-bytes N   longest accepted line (default 65536)
  --cache-size N       lookup answers each thread keeps (default 32768; bounds memory when peers are
                       many: about 600 bytes each, twice over)
  --no-progress        no progress line on a terminal
  --jobs N             threads for large plain-text files, this one included (default: one per core)
  --segment-bytes N    bytes a thread reads at a time (default: enrich 1 MiB, report 2 MiB)
  --parallel-min-bytes N  smallest file split across threads, and the smallest total of
                          files read whole, a file a thread (default 32 MiB)`;

export const HELP: Record<string, string> = {
  main: `ipgeolocator — where the traffic in your AWS VPC Flow Logs comes from

Usage:
  ipgeolocator serve [FILE|DIR|-]... [options]     live map: pipeline, MQTT broker, dashboard (demo if no input)
  ipgeolocator enrich [FILE|DIR|-]... [options]    enriched records as NDJSON on stdout
  ipgeolocator report [FILE|DIR|-]... --by DIMS [options]   records/packets/bytes by dimensions
  ipgeolocator sample [--records N] [--seed S]     synthetic flow logs, to try it without AWS
  ipgeolocator help COMMAND | --version

Run "ipgeolocator help serve", "help enrich" or "help report" for options.
IP geolocation by DB-IP (https://db-ip.com), CC BY 4.0.
`,
  enrich: `ipgeolocator enrich [FILE|DIR|-]... [options]

Writes one JSON object per record: the record's fields (AWS names with "-" as "_"), then
"direction" (inbound, outbound, internal, external) and "src_geo"/"dst_geo" (null for a
non-public side). Rejected lines go to stderr as FILE:LINE: reason; a summary follows.

${INPUTS}

Options:
  --format FMT         same as --log-format
${COMMON}
`,
  report: `ipgeolocator report [FILE|DIR|-]... --by DIMS [--top N] [--format tsv|csv|json] [options]

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

export const SERVE_HELP = `ipgeolocator serve [FILE|DIR|-]... [options]

The live pipeline, an embedded MQTT broker (WebSockets at /mqtt, TCP on --mqtt-port) and the dashboard.
With no input it plays a demo stream, unless --ingest-token or --mqtt-url says it is meant for real traffic.
Every option can also be set as IPGEO_<OPTION> in the environment (IPGEO_MQTT_PORT=1884) or in a JSON --config
file; the command line wins, then the environment, then the file.

  --host H               address to listen on (default 127.0.0.1)
  --port N               HTTP port: dashboard, APIs, ingest, MQTT over WebSockets (default 8080)
  --mqtt-port N          plain MQTT over TCP (default 1883; 0 disables)
  --input PATH           a file, a directory or - (repeatable; plain arguments work too)
  --exclude GLOB         leave out files under a directory input that match (repeatable; as for report)
  --follow               keep reading files as they grow, and new files in directories (like tail -F)
  --state-file F         where --follow remembers read positions across restarts
  --from-end             with --follow, skip what the files hold at a first start: only new data
  --speed N              replay files by record time, N times real time (0 = as fast as possible)
  --demo                 play the synthetic demo stream (the default with no input, no ingest token and
                         no --mqtt-url)
  --no-demo              no demo stream, for a server fed only by HTTP ingest (or IPGEO_DEMO=false)
  --demo-rate N          demo records per second (default 300)
  --log-format FMT       flow-log format of inputs without a header line
  --geo-db F, --asn-db F location and ASN databases (default: bundled DB-IP Lite, CC BY 4.0)
  --ingest-token T       required on POST /ingest/* (Authorization: Bearer T, or the Firehose access key)
  --viewer-token T       required as the MQTT password of viewers
  --max-body-bytes N     largest ingest body (default 64 MiB)
  --ingest-threads N     threads that read ingest bodies beside the main thread (default: one per core,
                         at most 4; 0 = read them on the main thread)
  --mqtt-url URL         publish to this broker instead of the embedded one (mqtt://, mqtts://, ws://, wss://)
  --mqtt-username U, --mqtt-password P
  --topic-prefix P       topic prefix (default ipgeolocator)
  --producer-id ID       names this instance in its messages (default: the host name)
  --tick-seconds S       how often summaries are published (default 1)
  --events-per-second N  sampled events sent to viewers (default 200)
  --log-level L          fatal, error, warn, info (default), debug, trace, silent
  --heap-mb N            V8 heap limit for this long-running process (default 1024; 0 = Node's default)

Endpoints: GET /healthz, /api/stats, /metrics; POST /ingest/cloudwatch, /ingest/firehose, /ingest/lines.
Topics: <prefix>/events, <prefix>/summary/{1m,15m,1h} (retained), <prefix>/stats (retained): docs/topics.md.
`;
