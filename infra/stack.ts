import { CfnCondition, CfnOutput, CfnParameter, Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as destinations from 'aws-cdk-lib/aws-logs-destinations';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import * as cr from 'aws-cdk-lib/custom-resources';
import type { Construct } from 'constructs';

export interface IpGeoLocatorStackProps extends StackProps {
  /** The bundled Lambda (scripts/build-lambda.mjs writes it to dist-lambda/, geo data included). */
  lambdaCode: lambda.Code;
  /** The built dashboard (web/dist). */
  dashboard: s3deploy.ISource;
}

/**
 * The serverless shape, as the original proof of concept had it, done properly: a Lambda behind a CloudWatch Logs
 * subscription publishing aggregates to AWS IoT Core; browsers get read-only credentials from a Cognito identity
 * pool; the dashboard is on S3 behind CloudFront with a runtime config.json written by the stack.
 */
export class IpGeoLocatorStack extends Stack {
  constructor(scope: Construct, id: string, props: IpGeoLocatorStackProps) {
    super(scope, id, props);
    const logGroupName = new CfnParameter(this, 'FlowLogGroupName', {
      type: 'String', description: 'The CloudWatch Logs log group your VPC flow logs are delivered to.',
    });
    const logFormat = new CfnParameter(this, 'FlowLogFormat', {
      type: 'String', default: '',
      description: 'The flow log format (as in the flow log: ${version} ${srcaddr} ...); empty for the AWS default format.',
    });
    const prefix = new CfnParameter(this, 'TopicPrefix', {
      type: 'String', default: 'ipgeolocator', allowedPattern: '^[A-Za-z0-9_-]{1,64}$',
      description: 'MQTT topic prefix; viewers may read only under it.',
    });
    const unauthenticated = new CfnParameter(this, 'AllowUnauthenticatedViewers', {
      type: 'String', default: 'true', allowedValues: ['true', 'false'],
      description: 'Let anyone with the dashboard URL view it (read-only). With false, wire your own sign-in to the identity pool.',
    });
    const topicPrefix = prefix.valueAsString;
    const iotArn = (resource: string) => `arn:${this.partition}:iot:${this.region}:${this.account}:${resource}`;

    // The account's IoT data endpoint, looked up at deploy time.
    const endpoint = new cr.AwsCustomResource(this, 'IotEndpointLookup', {
      onUpdate: {
        service: 'Iot', action: 'describeEndpoint', parameters: { endpointType: 'iot:Data-ATS' },
        physicalResourceId: cr.PhysicalResourceId.of('iot-data-ats-endpoint'),
      },
      policy: cr.AwsCustomResourcePolicy.fromStatements([new iam.PolicyStatement({ actions: ['iot:DescribeEndpoint'], resources: ['*'] })]),
      installLatestAwsSdk: false,
    });
    const iotEndpoint = endpoint.getResponseField('endpointAddress');

    const fn = new lambda.Function(this, 'Enricher', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: props.lambdaCode,
      memorySize: 1024,
      timeout: Duration.seconds(60),
      description: 'IpGeoLocator: parse, classify, enrich and aggregate VPC flow logs; publish to AWS IoT Core.',
      environment: {
        IPGEO_LOG_FORMAT: logFormat.valueAsString,
        IPGEO_TOPIC_PREFIX: topicPrefix,
        IPGEO_IOT_ENDPOINT: iotEndpoint,
        IPGEO_DATA_DIR: '/var/task/data',
        NODE_OPTIONS: '--enable-source-maps',
      },
      logGroup: new logs.LogGroup(this, 'EnricherLogs', { retention: logs.RetentionDays.TWO_WEEKS, removalPolicy: RemovalPolicy.DESTROY }),
    });
    // Least privilege: publish under the prefix, nothing else.
    fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['iot:Publish'], resources: [iotArn(`topic/${topicPrefix}/*`)] }));

    const flowLogs = logs.LogGroup.fromLogGroupName(this, 'FlowLogs', logGroupName.valueAsString);
    new logs.SubscriptionFilter(this, 'FlowLogSubscription', {
      logGroup: flowLogs, destination: new destinations.LambdaDestination(fn), filterPattern: logs.FilterPattern.allEvents(),
    });

    const allowUnauth = new CfnCondition(this, 'UnauthenticatedViewers', { expression: Fn.conditionEquals(unauthenticated.valueAsString, 'true') });
    const pool = new cognito.CfnIdentityPool(this, 'Viewers', {
      allowUnauthenticatedIdentities: Fn.conditionIf(allowUnauth.logicalId, true, false) as unknown as boolean,
    });
    const viewerRole = (kind: 'unauthenticated' | 'authenticated') => {
      const role = new iam.Role(this, kind === 'unauthenticated' ? 'GuestViewerRole' : 'SignedInViewerRole', {
        assumedBy: new iam.FederatedPrincipal('cognito-identity.amazonaws.com', {
          StringEquals: { 'cognito-identity.amazonaws.com:aud': pool.ref },
          'ForAnyValue:StringLike': { 'cognito-identity.amazonaws.com:amr': kind },
        }, 'sts:AssumeRoleWithWebIdentity'),
        description: 'Dashboard viewers: connect with their client-id prefix, subscribe and receive under the topic prefix; never publish.',
      });
      role.addToPolicy(new iam.PolicyStatement({ actions: ['iot:Connect'], resources: [iotArn(`client/${topicPrefix}-viewer-*`)] }));
      role.addToPolicy(new iam.PolicyStatement({ actions: ['iot:Subscribe'], resources: [iotArn(`topicfilter/${topicPrefix}/*`)] }));
      role.addToPolicy(new iam.PolicyStatement({ actions: ['iot:Receive'], resources: [iotArn(`topic/${topicPrefix}/*`)] }));
      return role;
    };
    new cognito.CfnIdentityPoolRoleAttachment(this, 'ViewerRoles', {
      identityPoolId: pool.ref,
      roles: { unauthenticated: viewerRole('unauthenticated').roleArn, authenticated: viewerRole('authenticated').roleArn },
    });

    const bucket = new s3.Bucket(this, 'DashboardBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL, encryption: s3.BucketEncryption.S3_MANAGED, enforceSSL: true,
      removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true,
    });
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'DashboardHeaders', {
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          override: true,
          contentSecurityPolicy: [
            "default-src 'self'", "script-src 'self'", "worker-src blob:", "style-src 'self'", "img-src 'self' data:",
            `connect-src 'self' wss://${iotEndpoint} https://cognito-identity.${this.region}.amazonaws.com`,
            "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'",
          ].join('; '),
        },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: cloudfront.HeadersFrameOption.DENY, override: true },
        referrerPolicy: { referrerPolicy: cloudfront.HeadersReferrerPolicy.NO_REFERRER, override: true },
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: true, override: true },
      },
    });
    const cdn = new cloudfront.Distribution(this, 'DashboardCdn', {
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: headers,
      },
    });
    new s3deploy.BucketDeployment(this, 'DashboardFiles', {
      destinationBucket: bucket,
      distribution: cdn,
      sources: [props.dashboard, s3deploy.Source.jsonData('config.json', {
        v: 1, topicPrefix, mqttUrl: null, mqttPath: '/mqtt', clientIdPrefix: `${topicPrefix}-viewer-`,
        viewerTokenRequired: false, homeRegion: this.region, filterApi: false,
        attribution: [{ text: 'IP Geolocation by DB-IP', url: 'https://db-ip.com' }],
        aws: { region: this.region, identityPoolId: pool.ref, iotEndpoint },
      })],
    });

    new CfnOutput(this, 'IdentityPoolId', { value: pool.ref, description: 'Cognito identity pool of dashboard viewers.' });
    new CfnOutput(this, 'IotEndpoint', { value: iotEndpoint, description: 'AWS IoT Core data endpoint the Lambda publishes to.' });
    new CfnOutput(this, 'DashboardUrl', { value: `https://${cdn.distributionDomainName}/`, description: 'The live map.' });
    new CfnOutput(this, 'FunctionName', { value: fn.functionName });
  }
}
