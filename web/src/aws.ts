import { fromCognitoIdentityPool } from '@aws-sdk/credential-provider-cognito-identity';
import { presignIotUrl, type Credentials } from './aws-sigv4';

export interface AwsConfig {
  region: string;
  identityPoolId: string;
  iotEndpoint: string;
}

const REFRESH_BEFORE_MS = 5 * 60_000;
const RESIGN_EVERY_MS = 5 * 60_000;

/**
 * AWS mode: Cognito identity-pool credentials (unauthenticated viewers, read-only by their role), kept fresh
 * before they expire, and a presigned WebSocket URL for AWS IoT Core re-signed every few minutes. MQTT.js asks
 * for a URL synchronously on every (re)connection, so the latest signed one is kept ready.
 */
export class IotUrlSource {
  private url = '';
  private creds: Credentials | null = null;
  private readonly provider;

  constructor(private readonly cfg: AwsConfig) {
    this.provider = fromCognitoIdentityPool({ identityPoolId: cfg.identityPoolId, clientConfig: { region: cfg.region } });
  }

  async start(): Promise<string> {
    await this.resign();
    setInterval(() => void this.resign().catch(() => undefined), RESIGN_EVERY_MS);
    return this.url;
  }

  private async resign(): Promise<void> {
    if (this.creds === null || (this.creds.expiration && this.creds.expiration.getTime() - Date.now() < REFRESH_BEFORE_MS)) {
      this.creds = await this.provider();
    }
    this.url = await presignIotUrl(this.cfg.iotEndpoint, this.cfg.region, this.creds);
  }

  current(): string {
    return this.url;
  }
}
