import { gzipSync } from 'node:zlib';

/**
 * Payloads built exactly as AWS sends them: CloudWatch Logs subscription data is gzip'd JSON, base64'd into
 * `awslogs.data` for Lambda; Firehose HTTP-endpoint bodies carry base64 records (flow-logs.md §2a, §2c).
 */
export function cloudWatchData(messages: string[], opts: { control?: boolean } = {}) {
  return {
    messageType: opts.control ? 'CONTROL_MESSAGE' : 'DATA_MESSAGE',
    owner: opts.control ? 'CloudwatchLogs' : '123456789012',
    logGroup: opts.control ? '' : '/vpc/flow-logs',
    logStream: opts.control ? '' : 'eni-1235b8ca123456789-all',
    subscriptionFilters: opts.control ? [] : ['ipgeolocator'],
    logEvents: opts.control
      ? [{ id: '', timestamp: 1700000000000, message: 'CWL CONTROL MESSAGE: Checking health of destination Firehose.' }]
      : messages.map((message, i) => ({ id: `3719529163087938384${String(i).padStart(10, '0')}`, timestamp: 1700000000000 + i, message })),
  };
}

export function lambdaEvent(messages: string[], opts: { control?: boolean } = {}) {
  return { awslogs: { data: gzipSync(JSON.stringify(cloudWatchData(messages, opts))).toString('base64') } };
}

/** Firehose HTTP-endpoint request body; each record's bytes as given. */
export function firehoseBody(records: Buffer[], requestId = 'ed4acda5-034f-9f42-bba1-f29aea6d7d8f') {
  return { requestId, timestamp: 1700000000123, records: records.map((r) => ({ data: r.toString('base64') })) };
}

/** CloudWatch Logs → Firehose: each record is the subscription JSON gzip'd by CloudWatch Logs (level 6). */
export function firehoseFromCloudWatch(batches: string[][]) {
  return firehoseBody(batches.map((m) => gzipSync(JSON.stringify(cloudWatchData(m)), { level: 6 })));
}
