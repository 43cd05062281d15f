// Talks to the stack's moto directly (not through Berth) to set up what an e2e test needs: an
// account of its own, clusters, services, tasks, logs and metrics. moto routes by the service in
// the SigV4 credential scope and does not check signatures, so a well-formed header is enough; it
// picks the account from the access key, so an assumed role's keys isolate a test's resources.
import { requireEnv } from './app.mjs';

const REGION = 'us-east-1';

function auth(service, keys) {
  return `AWS4-HMAC-SHA256 Credential=${keys.accessKeyId}/20200101/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`;
}

async function send(service, keys, init) {
  const headers = { Authorization: auth(service, keys), ...init.headers };
  if (keys.sessionToken) headers['X-Amz-Security-Token'] = keys.sessionToken;
  const response = await fetch(`${requireEnv('BERTH_TEST_MOTO_URL')}/`, { method: 'POST', ...init, headers });
  const text = await response.text();
  if (!response.ok) throw new Error(`moto ${service} ${init.headers['X-Amz-Target'] ?? init.body}: ${response.status} ${text}`);
  return text;
}

/** A JSON-protocol call, e.g. json('ecs', 'AmazonEC2ContainerServiceV20141113.CreateCluster', {...}). */
export async function json(service, target, body, keys) {
  const text = await send(service, keys, {
    headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': target },
    body: JSON.stringify(body),
  });
  return text ? JSON.parse(text) : {};
}

/** A query-protocol call (EC2, STS, CloudWatch); answers XML. */
export function query(service, params, keys) {
  return send(service, keys, {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
}

const tag = (xml, name) => [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((m) => m[1]);

/** Keys of a role in a fresh random account. */
export async function isolatedAccount() {
  const account = String(100000000000 + Math.floor(Math.random() * 800000000000));
  const xml = await query(
    'sts',
    {
      Action: 'AssumeRole',
      Version: '2011-06-15',
      RoleArn: `arn:aws:iam::${account}:role/berth-e2e`,
      RoleSessionName: 'berth-e2e',
    },
    { accessKeyId: 'TESTPRACTICEKEY00001' },
  );
  return {
    account,
    accessKeyId: tag(xml, 'AccessKeyId')[0],
    secretAccessKey: tag(xml, 'SecretAccessKey')[0],
    sessionToken: tag(xml, 'SessionToken')[0],
  };
}

/** moto moves a task one state per DescribeTasks by default; a dashboard looks often. */
export async function holdTasksRunning() {
  const response = await fetch(`${requireEnv('BERTH_TEST_MOTO_URL')}/moto-api/state-manager/set-transition`, {
    method: 'POST',
    body: JSON.stringify({ model_name: 'ecs::task', transition: { progression: 'manual', times: 1000000000 } }),
  });
  if (!response.ok) throw new Error(`set-transition: ${response.status}`);
}

const ECS = 'AmazonEC2ContainerServiceV20141113';
const LOGS = 'Logs_20140328';

/**
 * A cluster with one Fargate service (tagged as Berth makes them) and `tasks` of its tasks, with
 * log lines in CloudWatch Logs and CPU/memory points in CloudWatch for the last minutes.
 */
export async function launchedService(keys, { cluster, service, tasks = 1, logLines = [] }) {
  const subnets = tag(await query('ec2', { Action: 'DescribeSubnets', Version: '2016-11-15' }, keys), 'subnetId');
  const groupsXml = await query(
    'ec2',
    { Action: 'DescribeSecurityGroups', Version: '2016-11-15', 'Filter.1.Name': 'group-name', 'Filter.1.Value.1': 'default' },
    keys,
  );
  const network = {
    awsvpcConfiguration: { subnets: subnets.slice(0, 2), securityGroups: [tag(groupsXml, 'groupId')[0]], assignPublicIp: 'ENABLED' },
  };
  await json('ecs', `${ECS}.CreateCluster`, { clusterName: cluster }, keys);
  const group = `/berth/${service}`;
  const definition = await json(
    'ecs',
    `${ECS}.RegisterTaskDefinition`,
    {
      family: service,
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'app',
          image: `${keys.account}.dkr.ecr.us-east-1.amazonaws.com/${service}:v1`,
          essential: true,
          memory: 512,
          logConfiguration: {
            logDriver: 'awslogs',
            options: { 'awslogs-group': group, 'awslogs-region': REGION, 'awslogs-stream-prefix': 'ecs' },
          },
        },
      ],
    },
    keys,
  );
  const definitionArn = definition.taskDefinition.taskDefinitionArn;
  await json(
    'ecs',
    `${ECS}.CreateService`,
    {
      cluster,
      serviceName: service,
      taskDefinition: definitionArn,
      desiredCount: tasks,
      launchType: 'FARGATE',
      networkConfiguration: network,
      tags: [
        { key: 'berth:managed', value: 'true' },
        { key: 'berth:app', value: service },
      ],
    },
    keys,
  );
  const run = await json(
    'ecs',
    `${ECS}.RunTask`,
    { cluster, taskDefinition: definitionArn, launchType: 'FARGATE', networkConfiguration: network, count: tasks, group: `service:${service}` },
    keys,
  );
  const taskArns = run.tasks.map((t) => t.taskArn);

  await json('logs', `${LOGS}.CreateLogGroup`, { logGroupName: group }, keys);
  const now = Date.now();
  for (const arn of taskArns) {
    const stream = `ecs/app/${arn.split('/').pop()}`;
    await json('logs', `${LOGS}.CreateLogStream`, { logGroupName: group, logStreamName: stream }, keys);
    if (logLines.length > 0) {
      await json(
        'logs',
        `${LOGS}.PutLogEvents`,
        {
          logGroupName: group,
          logStreamName: stream,
          logEvents: logLines.map((message, i) => ({ timestamp: now - (logLines.length - i) * 1000, message })),
        },
        keys,
      );
    }
  }

  // Twenty minutes of utilisation, as ECS would publish it.
  const minute = Math.floor(now / 60000) * 60;
  for (let ago = 20; ago >= 1; ago--) {
    const at = new Date((minute - ago * 60) * 1000).toISOString();
    const params = { Action: 'PutMetricData', Version: '2010-08-01', Namespace: 'AWS/ECS' };
    [
      ['CPUUtilization', 20 + 15 * Math.sin(ago / 3)],
      ['MemoryUtilization', 41 + ago / 10],
    ].forEach(([name, value], i) => {
      const m = `MetricData.member.${i + 1}`;
      Object.assign(params, {
        [`${m}.MetricName`]: name,
        [`${m}.Value`]: String(value.toFixed(1)),
        [`${m}.Unit`]: 'Percent',
        [`${m}.Timestamp`]: at,
        [`${m}.Dimensions.member.1.Name`]: 'ClusterName',
        [`${m}.Dimensions.member.1.Value`]: cluster,
        [`${m}.Dimensions.member.2.Name`]: 'ServiceName',
        [`${m}.Dimensions.member.2.Value`]: service,
      });
    });
    await query('monitoring', params, keys);
  }
  return { taskArns, definitionArn };
}

export async function describeService(keys, cluster, service) {
  const out = await json('ecs', `${ECS}.DescribeServices`, { cluster, services: [service] }, keys);
  return out.services[0];
}

export async function stopTaskElsewhere(keys, cluster, task, reason) {
  await json('ecs', `${ECS}.StopTask`, { cluster, task, reason }, keys);
}
