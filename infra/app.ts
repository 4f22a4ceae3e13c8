import { existsSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { IpGeoLocatorStack } from './stack.js';

// `npm run synth` writes the CloudFormation template and assets to cdk.out/; `npx cdk deploy` deploys them.
const root = new URL('..', import.meta.url).pathname;
for (const [dir, build] of [['dist-lambda', 'npm run build:lambda'], ['web/dist', 'npm run build:web']]) {
  if (!existsSync(`${root}${dir}`)) throw new Error(`${dir} is missing: run "${build}" first (npm run synth does both).`);
}
const app = new App({ outdir: process.env.CDK_OUTDIR ?? `${root}cdk.out` });
new IpGeoLocatorStack(app, process.env.IPGEO_STACK_NAME ?? 'IpGeoLocator', {
  lambdaCode: lambda.Code.fromAsset(`${root}dist-lambda`),
  dashboard: s3deploy.Source.asset(`${root}web/dist`),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
app.synth();
