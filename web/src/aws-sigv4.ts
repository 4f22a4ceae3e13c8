import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export interface PresignInput {
  protocol: 'wss:' | 'https:';
  host: string;
  path: string;
  region: string;
  service: string;
  credentials: Credentials;
  expiresIn: number;
  /** Signing time (tests pin it; the page uses now). */
  date?: Date;
  /** Whether the session token is signed (the default) or appended after signing, as AWS IoT requires. */
  tokenAfterSigning?: boolean;
  /** S3 signs the payload as UNSIGNED-PAYLOAD in presigned URLs. */
  unsignedPayload?: boolean;
}

/**
 * A SigV4 presigned URL (query-string authentication), made with the AWS SDK's own signer. For AWS IoT Core's
 * WebSocket endpoint the session token must be appended after signing (service `iotdevicegateway`, path `/mqtt`).
 */
export async function presignUrl(i: PresignInput): Promise<string> {
  const { sessionToken, ...keys } = i.credentials;
  const signer = new SignatureV4({
    credentials: i.tokenAfterSigning ? keys : i.credentials, region: i.region, service: i.service, sha256: Sha256,
    uriEscapePath: i.service !== 's3',
  });
  const headers: Record<string, string> = { host: i.host };
  if (i.unsignedPayload) headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
  const signed = await signer.presign({ method: 'GET', protocol: i.protocol, hostname: i.host, path: i.path, headers, query: {} },
    {
      expiresIn: i.expiresIn, signingDate: i.date,
      // The payload-hash header tells the signer what to sign; it is neither signed nor moved into the query.
      unsignableHeaders: new Set(['x-amz-content-sha256']), unhoistableHeaders: new Set(['x-amz-content-sha256']),
    });
  const query = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  if (i.tokenAfterSigning && sessionToken) query.push(`X-Amz-Security-Token=${encodeURIComponent(sessionToken)}`);
  return `${i.protocol}//${i.host}${i.path}?${query.join('&')}`;
}

/** The presigned `wss://…/mqtt` URL AWS IoT Core accepts from browsers. */
export function presignIotUrl(endpoint: string, region: string, credentials: Credentials, date?: Date): Promise<string> {
  return presignUrl({
    protocol: 'wss:', host: endpoint, path: '/mqtt', region, service: 'iotdevicegateway', credentials, expiresIn: 900,
    date, tokenAfterSigning: true,
  });
}
