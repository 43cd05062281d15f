// Talks to the stack's moto directly (not through Berth) to set up what an e2e test needs: an
// account of its own, clusters, services, tasks, logs and metrics. moto routes by the service in
// the SigV4 credential scope and does not check signatures, so a well-formed header is enough; it
// picks the account from the access key, so an assumed role's keys isolate a test's resources.
import { requireEnv } from './app.mjs';
import { pushRunnableImage } from './registry.mjs';

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

const ECS = 'AmazonEC2ContainerServiceV20141113';
const LOGS = 'Logs_20140328';

/** The account already has ECS's service-linked role (as one that used ECS before does). */
export async function withServiceLinkedRole(account) {
  const response = await fetch(`${requireEnv('BERTH_TEST_MOTO_URL')}/berth-api/accounts/${account}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ ecs_service_linked_role: true }),
  });
  if (!response.ok) throw new Error(`berth-api accounts: ${response.status} ${await response.text()}`);
}

/**
 * Waits until a new access key is usable. IAM makes a new key work only after a few seconds, and the
 * backend does too (`iam_propagation_s`): a test about something else must not race that delay.
 */
export async function untilKeyWorks(keys) {
  for (let i = 0; ; i++) {
    try {
      return await query('sts', { Action: 'GetCallerIdentity', Version: '2011-06-15' }, keys);
    } catch (e) {
      if (i >= 80 || !/InvalidClientTokenId/.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** Retries `call` while AWS has not yet propagated a new IAM role (the backend delays it too). */
async function afterIamPropagation(call) {
  for (let i = 0; ; i++) {
    try {
      return await call();
    } catch (e) {
      if (i >= 40 || !/iam:PassRole|unable to assume the role/i.test(String(e))) throw e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * A cluster with one Fargate service (tagged as Berth makes them) running `tasks` tasks of a real
 * image (pushed to the registry that stands in for ECR) that prints `logLines` and serves HTTP, so
 * its logs reach CloudWatch Logs the way ECS sends them; CPU/memory points in CloudWatch for the
 * last minutes. The backend's scheduler starts the tasks, as ECS does.
 * With `crash`, the container exits 1 after its lines instead, under the deployment circuit
 * breaker: this waits until ECS gives up on the deployment (FAILED, with ECS's own events).
 */
export async function launchedService(keys, { cluster, service, tasks = 1, logLines = [], crash = false }) {
  await withServiceLinkedRole(keys.account);
  const subnets = tag(await query('ec2', { Action: 'DescribeSubnets', Version: '2016-11-15' }, keys), 'subnetId');
  const groupsXml = await query(
    'ec2',
    { Action: 'DescribeSecurityGroups', Version: '2016-11-15', 'Filter.1.Name': 'group-name', 'Filter.1.Value.1': 'default' },
    keys,
  );
  const network = {
    awsvpcConfiguration: { subnets: subnets.slice(0, 2), securityGroups: [tag(groupsXml, 'groupId')[0]], assignPublicIp: 'ENABLED' },
  };
  const role = `${service}-exec`;
  await query(
    'iam',
    {
      Action: 'CreateRole',
      Version: '2010-05-08',
      RoleName: role,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    },
    keys,
  );
  await json('ecr', 'AmazonEC2ContainerRegistry_V20150921.CreateRepository', { repositoryName: service }, keys);
  const script = [...logLines.map((line) => `echo '${line.replaceAll("'", "'\\''")}'`), crash ? 'exit 1' : 'exec httpd -f -p 80'].join('; ');
  pushRunnableImage(service, 'v1', { cmd: ['sh', '-c', script] });
  await json('ecs', `${ECS}.CreateCluster`, { clusterName: cluster }, keys);
  const group = `/berth/${service}`;
  await json('logs', `${LOGS}.CreateLogGroup`, { logGroupName: group }, keys);
  const definition = await afterIamPropagation(() =>
    json(
      'ecs',
      `${ECS}.RegisterTaskDefinition`,
      {
        family: service,
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        executionRoleArn: `arn:aws:iam::${keys.account}:role/${role}`,
        containerDefinitions: [
          {
            name: 'app',
            image: `${keys.account}.dkr.ecr.us-east-1.amazonaws.com/${service}:v1`,
            essential: true,
            memory: 512,
            portMappings: [{ containerPort: 80, protocol: 'tcp' }],
            logConfiguration: {
              logDriver: 'awslogs',
              options: { 'awslogs-group': group, 'awslogs-region': REGION, 'awslogs-stream-prefix': 'ecs' },
            },
          },
        ],
      },
      keys,
    ),
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
      ...(crash ? { deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } } } : {}),
      tags: [
        { key: 'berth:managed', value: 'true' },
        { key: 'berth:app', value: service },
      ],
    },
    keys,
  );
  if (crash) {
    for (let i = 0; ; i++) {
      const primary = (await describeService(keys, cluster, service)).deployments.find((d) => d.status === 'PRIMARY');
      if (primary?.rolloutState === 'FAILED') return { taskArns: [], definitionArn: definition.taskDefinition.taskDefinitionArn };
      if (i >= 240) throw new Error(`the deployment of ${service} did not fail`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  // The scheduler starts the tasks; wait until they run and have printed their lines.
  let taskArns = [];
  for (let i = 0; ; i++) {
    const listed = await json('ecs', `${ECS}.ListTasks`, { cluster, serviceName: service, desiredStatus: 'RUNNING' }, keys);
    const running = listed.taskArns.length
      ? (await json('ecs', `${ECS}.DescribeTasks`, { cluster, tasks: listed.taskArns }, keys)).tasks.filter((t) => t.lastStatus === 'RUNNING')
      : [];
    if (running.length >= tasks) {
      taskArns = running.map((t) => t.taskArn);
      break;
    }
    if (i >= 120) throw new Error(`the service ${service} did not reach ${tasks} running task(s)`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const now = Date.now();
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

/** Waits until ECS reports `task` STOPPED (a stop goes through DEACTIVATING, STOPPING, ... first). */
export async function waitForTaskStopped(keys, cluster, task) {
  for (let i = 0; i < 120; i++) {
    const { tasks } = await json('ecs', `${ECS}.DescribeTasks`, { cluster, tasks: [task] }, keys);
    if (tasks[0]?.lastStatus === 'STOPPED') return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`task ${task} did not stop`);
}

/**
 * Deploys a new revision of `service` whose container exits at once, under the deployment
 * circuit breaker (`rollback` or not), and waits until ECS gives up on it (FAILED).
 */
export async function deployCrashing(keys, cluster, service, { rollback = false } = {}) {
  const current = await describeService(keys, cluster, service);
  const { taskDefinition } = await json('ecs', `${ECS}.DescribeTaskDefinition`, { taskDefinition: current.taskDefinition }, keys);
  pushRunnableImage(service, 'crash', { cmd: ['sh', '-c', 'echo starting; exit 1'] });
  const containerDefinitions = taskDefinition.containerDefinitions.map((c) => ({
    ...c,
    image: `${keys.account}.dkr.ecr.us-east-1.amazonaws.com/${service}:crash`,
  }));
  const next = await json(
    'ecs',
    `${ECS}.RegisterTaskDefinition`,
    {
      family: taskDefinition.family,
      networkMode: taskDefinition.networkMode,
      requiresCompatibilities: taskDefinition.requiresCompatibilities,
      cpu: taskDefinition.cpu,
      memory: taskDefinition.memory,
      executionRoleArn: taskDefinition.executionRoleArn,
      containerDefinitions,
    },
    keys,
  );
  await json(
    'ecs',
    `${ECS}.UpdateService`,
    {
      cluster,
      service,
      taskDefinition: next.taskDefinition.taskDefinitionArn,
      deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback } },
    },
    keys,
  );
  for (let i = 0; ; i++) {
    const failed = (await describeService(keys, cluster, service)).deployments.find((d) => d.rolloutState === 'FAILED');
    if (failed) return failed;
    if (i >= 480) throw new Error(`the crashing deployment of ${service} did not fail`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
