import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { IpGeoLocatorStack } from './stack.js';

// Stand-in assets: the template's shape does not depend on what the bundle holds.
const dir = mkdtempSync(join(tmpdir(), 'ipgeo-cdk-'));
writeFileSync(join(dir, 'index.html'), '<!doctype html>');
const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'ipgeo-cdk-out-')) });
const stack = new IpGeoLocatorStack(app, 'Test', {
  lambdaCode: lambda.Code.fromInline('export const handler = async () => ({});'),
  dashboard: s3deploy.Source.asset(dir),
});
const t = Template.fromStack(stack);
const json = t.toJSON();

/** Every IAM statement in the template, with the logical id of its policy. */
function statements(): Array<{ policy: string; Action: string | string[]; Resource: unknown; Effect: string }> {
  const out = [];
  for (const [id, r] of Object.entries<any>(json.Resources)) {
    const docs = r.Type === 'AWS::IAM::Policy' ? [r.Properties.PolicyDocument] : r.Type === 'AWS::IAM::Role' ? (r.Properties.Policies ?? []).map((p: any) => p.PolicyDocument) : [];
    for (const d of docs) for (const s of d.Statement) out.push({ policy: id, ...s });
  }
  return out;
}
const actions = (s: { Action: string | string[] }) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

describe('the CloudFormation template', () => {
  it('takes the log group, log format and topic prefix as parameters', () => {
    for (const p of ['FlowLogGroupName', 'FlowLogFormat', 'TopicPrefix', 'AllowUnauthenticatedViewers']) assert.ok(json.Parameters[p], p);
  });

  it('runs the handler on Node.js 24 with the format, prefix and IoT endpoint in its environment', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler', Runtime: 'nodejs24.x',
      Environment: { Variables: Match.objectLike({ IPGEO_LOG_FORMAT: { Ref: 'FlowLogFormat' }, IPGEO_TOPIC_PREFIX: { Ref: 'TopicPrefix' }, IPGEO_IOT_ENDPOINT: Match.anyValue() }) },
    });
  });

  it('lets the function publish under the prefix only', () => {
    const publish = statements().filter((s) => actions(s).includes('iot:Publish'));
    assert.equal(publish.length, 1);
    assert.equal(publish[0].Effect, 'Allow');
    assert.match(JSON.stringify(publish[0].Resource), /topic\/",\{"Ref":"TopicPrefix"\},"\/\*"/);
    assert.ok(!statements().some((s) => actions(s).some((a) => a === 'iot:*' || a === '*')), 'no wildcard IoT actions');
  });

  it('subscribes the function to the flow-log group, with the permission to invoke it', () => {
    t.hasResourceProperties('AWS::Logs::SubscriptionFilter', { LogGroupName: { Ref: 'FlowLogGroupName' }, FilterPattern: '', DestinationArn: Match.anyValue() });
    t.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'logs.amazonaws.com' });
  });

  it('gives dashboard viewers connect, subscribe and receive under the prefix — never publish', () => {
    const viewerRoles = Object.entries<any>(json.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role'
      && JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('cognito-identity.amazonaws.com')).map(([id]) => id);
    assert.equal(viewerRoles.length, 2);
    const viewerStatements = statements().filter((s) => viewerRoles.some((r) => JSON.stringify(json.Resources[s.policy]?.Properties?.Roles ?? []).includes(r)));
    assert.deepEqual([...new Set(viewerStatements.flatMap(actions))].sort(), ['iot:Connect', 'iot:Receive', 'iot:Subscribe']);
    const connect = viewerStatements.find((s) => actions(s).includes('iot:Connect'))!;
    assert.match(JSON.stringify(connect.Resource), /client\/",\{"Ref":"TopicPrefix"\},"-viewer-\*"/);
    t.hasResourceProperties('AWS::Cognito::IdentityPoolRoleAttachment', { Roles: { unauthenticated: Match.anyValue(), authenticated: Match.anyValue() } });
    t.hasResourceProperties('AWS::Cognito::IdentityPool', { AllowUnauthenticatedIdentities: { 'Fn::If': ['UnauthenticatedViewers', true, false] } });
  });

  it('hosts the page on a private bucket behind CloudFront, HTTPS only, with a CSP', () => {
    t.hasResourceProperties('AWS::S3::Bucket', { PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true } });
    t.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: Match.objectLike({ DefaultRootObject: 'index.html', DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }) }) });
    t.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', { ResponseHeadersPolicyConfig: Match.objectLike({ SecurityHeadersConfig: Match.objectLike({ ContentSecurityPolicy: Match.objectLike({ Override: true }) }) }) });
    t.resourceCountIs('Custom::CDKBucketDeployment', 1);
  });

  it('outputs the identity pool id, the IoT endpoint and the dashboard URL', () => {
    for (const o of ['IdentityPoolId', 'IotEndpoint', 'DashboardUrl']) assert.ok(json.Outputs[o], o);
  });
});
