import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { presignIotUrl, presignUrl } from '../web/src/aws-sigv4.js';

describe('SigV4 presigning (the dashboard\'s AWS IoT Core URL)', () => {
  it('reproduces AWS\'s published presigned-URL example exactly', async () => {
    // Amazon S3 API Reference, "Authenticating Requests: Using Query Parameters (AWS Signature Version 4)", example.
    const url = await presignUrl({
      protocol: 'https:', host: 'examplebucket.s3.amazonaws.com', path: '/test.txt', region: 'us-east-1', service: 's3',
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      expiresIn: 86400, date: new Date('2013-05-24T00:00:00Z'), unsignedPayload: true,
    });
    const q = new URL(url).searchParams;
    assert.equal(q.get('X-Amz-Signature'), 'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404');
    assert.equal(q.get('X-Amz-Credential'), 'AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request');
    assert.equal(q.get('X-Amz-SignedHeaders'), 'host');
    assert.equal(q.get('X-Amz-Expires'), '86400');
  });

  it('signs for iotdevicegateway and appends the session token after signing, as AWS IoT requires', async () => {
    const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'token/with+chars=' };
    const date = new Date('2015-08-30T12:36:00Z');
    const url = new URL(await presignIotUrl('abc123-ats.iot.eu-west-1.amazonaws.com', 'eu-west-1', creds, date));
    assert.equal(url.protocol, 'wss:');
    assert.equal(url.pathname, '/mqtt');
    assert.equal(url.searchParams.get('X-Amz-Credential'), 'AKIDEXAMPLE/20150830/eu-west-1/iotdevicegateway/aws4_request');
    assert.equal(url.searchParams.get('X-Amz-Security-Token'), 'token/with+chars=');
    assert.ok(url.search.endsWith(`X-Amz-Security-Token=${encodeURIComponent('token/with+chars=')}`));
    // The signature must not depend on the token (it is not signed): same URL without a token, same signature.
    const bare = new URL(await presignIotUrl('abc123-ats.iot.eu-west-1.amazonaws.com', 'eu-west-1', { ...creds, sessionToken: undefined }, date));
    assert.equal(url.searchParams.get('X-Amz-Signature'), bare.searchParams.get('X-Amz-Signature'));
  });
});
