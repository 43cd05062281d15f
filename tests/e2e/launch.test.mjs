// Wizard step 5 in the real app against moto: review the plan, launch a one-off task and watch the
// timeline reach RUNNING, tear it down; launch a service and find it created; close the app
// mid-launch and find the unfinished launch with Resume and Tear down after a restart.
//
// The strict AWS backend really runs what is launched: the image (pushed to the registry that
// stands in for ECR) runs as a Docker container, the service's scheduler starts and replaces its
// tasks, and a task's public IP is a loopback address that reaches the container.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { byName, click, openApp, pageText, requireEnv, saveScreenshot, waitForText, chooseLanguage } from './support/app.mjs';
import { practiceHome } from './support/practice.mjs';
import { pushRunnableImage } from './support/registry.mjs';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

/** One call to moto, signed just enough for moto to route it (it does not check signatures). */
async function moto(service, { target, json, form }) {
  const headers = {
    Authorization: `AWS4-HMAC-SHA256 Credential=TESTPRACTICEKEY00001/20260101/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
  };
  let body;
  if (json) {
    headers['Content-Type'] = 'application/x-amz-json-1.1';
    headers['X-Amz-Target'] = target;
    body = JSON.stringify(json);
  } else {
    headers['Content-Type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(form).toString();
  }
  const res = await fetch(`${requireEnv('BERTH_TEST_MOTO_URL')}/`, { method: 'POST', headers, body });
  const text = await res.text();
  if (!res.ok) throw new Error(`moto ${service} ${target ?? form.Action}: ${res.status} ${text}`);
  return json ? JSON.parse(text || '{}') : text;
}

const ecs = (op, json) => moto('ecs', { target: `AmazonEC2ContainerServiceV20141113.${op}`, json });

/** What the IAM and Image steps leave behind: an execution role, a repository with an image. */
async function earlierSteps(name, { cmd, push = true } = {}) {
  const role = `${name}-exec`;
  await moto('iam', {
    form: {
      Action: 'CreateRole',
      Version: '2010-05-08',
      RoleName: role,
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    },
  });
  const ecr = (op, json) => moto('ecr', { target: `AmazonEC2ContainerRegistry_V20150921.${op}`, json });
  await ecr('CreateRepository', { repositoryName: name });
  // A real image (the backend runs it): a web server on port 80, or `cmd`; or none at all.
  const digest = push ? pushRunnableImage(name, 'v1', cmd ? { cmd } : {}) : `sha256:${'0'.repeat(64)}`;
  return {
    executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
    repository: name,
    image: {
      repository: name,
      tag: 'v1',
      digest,
      uri: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${name}:v1`,
      platform: 'linux/amd64',
    },
  };
}

async function withApp(options, body) {
  const browser = await openApp(options);
  try {
    await body(browser);
  } finally {
    await browser.deleteSession().catch(() => {});
  }
}

async function openLaunch(browser) {
  await chooseLanguage(browser, 'Language', 'en');
  await click(browser, 'Launch');
  await waitForText(browser, 'Review plan');
}

/** Scrolls the page (the content pane) to `y`, for screenshots of a given part. */
async function scrollTo(browser, selector) {
  await browser.execute((sel) => {
    const pane = document.querySelector('.content');
    const target = sel ? document.querySelector(sel) : null;
    if (target) target.scrollIntoView({ block: 'start' });
    else pane?.scrollTo({ top: 0 });
  }, selector);
}

async function typeInto(browser, name, text) {
  const field = await byName(browser, name);
  await field.clearValue();
  await field.setValue(text);
}

async function tearDown(browser, app) {
  await waitForText(browser, `Tear down “${app}”`);
  await waitForText(browser, `Type ${app} to confirm`);
  const button = await byName(browser, 'Tear down');
  assert.equal(await button.isEnabled(), false, 'teardown must not be one click away');
  // The repository, execution role and deploy user serve every app: listed, kept unless ticked.
  await waitForText(browser, 'Kept unless you choose');
  const boxes = await browser.$$('.shared input[type="checkbox"]');
  for (const box of boxes) assert.equal(await box.isSelected(), false, 'shared removals are off by default');
  await typeInto(browser, `Type ${app} to confirm`, app);
  await click(browser, 'Tear down');
  await waitForText(browser, `Berth removed what it listed for “${app}”.`, 60000);
  // It says what stays (the repository with its monthly storage cost), never "everything is gone".
  await waitForText(browser, 'Still in your account:');
  await waitForText(browser, 'per month');
}

async function servicesOf(app) {
  const out = await ecs('DescribeServices', { cluster: 'berth', services: [app] }).catch(() => ({ services: [] }));
  return (out.services ?? []).filter((s) => s.status === 'ACTIVE');
}

const env = () => ({ DOCKER_HOST: requireEnv('DOCKER_HOST') });
const unique = (prefix) => `${prefix}-${process.pid % 10000}-${Date.now() % 1000000}`;

test('review the plan, launch a one-off task, watch it reach RUNNING, and tear it down', async () => {
  const app = unique('e2e-task');
  const home = practiceHome({ wizard: await earlierSteps(app) });

  await withApp({ home, env: env() }, async (browser) => {
    await openLaunch(browser);
    await waitForText(browser, `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${app}:v1`);
    assert.equal(await (await byName(browser, 'App name')).getValue(), app);
    await waitForText(browser, 'Default VPC vpc-');
    await click(browser, 'Run it once (task)');
    // The cost of 0.25 vCPU / 0.5 GB with a public IP in us-east-1: 0.0173425 USD/h.
    await waitForText(browser, '$0.0173');
    await scrollTo(browser, null);
    await saveScreenshot(browser, 'launch-form');
    await scrollTo(browser, '.layout .main > section:last-child');
    await saveScreenshot(browser, 'launch-form-network');

    await click(browser, 'Review plan');
    await waitForText(browser, 'Review the plan');
    const plan = await pageText(browser);
    for (const line of ['Cluster', 'Log group', `/berth/${app}`, `berth-${app}`, `${app}:1`, 'Task definition']) {
      assert.ok(plan.includes(line), `"${line}" missing from the plan:\n${plan}`);
    }
    // A task that runs once is a job: no inbound rule is planned (issue 18 item 5).
    assert.ok(!plan.includes('0.0.0.0/0'), `an inbound rule in the plan:\n${plan}`);
    // Nothing exists before Launch is pressed.
    assert.equal((await ecs('ListTaskDefinitions', { familyPrefix: app })).taskDefinitionArns.length, 0);
    await click(browser, `Show the aws command: Task definition ${app}:1`);
    await waitForText(browser, `aws ecs register-task-definition --family ${app}`);
    await saveScreenshot(browser, 'launch-review');

    await click(browser, 'Launch now');
    await waitForText(browser, 'Your container is running.', 60000);
    const timeline = await pageText(browser);
    for (const line of ['Created', 'Task definition', 'Running', 'has no inbound rule']) {
      assert.ok(timeline.includes(line), `"${line}" missing from the timeline:\n${timeline}`);
    }
    // Nothing to open: the task has no inbound rule.
    assert.ok(!timeline.includes('Open in browser'), `an address to open:\n${timeline}`);
    await saveScreenshot(browser, 'launch-running');

    const tasks = await ecs('ListTasks', { cluster: 'berth', family: app });
    assert.equal(tasks.taskArns.length, 1, 'one task runs');

    await click(browser, 'Tear down');
    await tearDown(browser, app);
    await saveScreenshot(browser, 'launch-torn-down');
  });

  const defs = await ecs('ListTaskDefinitions', { familyPrefix: app, status: 'ACTIVE' });
  assert.equal(defs.taskDefinitionArns.length, 0, 'task definitions deregistered');
  const stopped = await ecs('DescribeTasks', {
    cluster: 'berth',
    tasks: (await ecs('ListTasks', { cluster: 'berth', desiredStatus: 'STOPPED' })).taskArns,
  }).catch(() => ({ tasks: [] }));
  assert.ok(
    (stopped.tasks ?? []).every((t) => t.lastStatus === 'STOPPED'),
    'no task of the app is left running',
  );
});

/** Reads or changes a setting of the strict backend (docs/aws-emulator.md, /berth-api/settings). */
async function backendSetting(name, value) {
  const url = `${requireEnv('BERTH_TEST_MOTO_URL')}/berth-api/settings`;
  const before = (await (await fetch(url)).json())[name];
  const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ [name]: value }) });
  assert.ok(res.ok, `berth-api settings: ${res.status}`);
  return before;
}

test('closed while it waits for AWS, a launch offers Resume and Tear down after a restart', async () => {
  const app = unique('e2e-svc');
  // AWS sometimes takes much longer than its usual seconds to spread a new role: ECS refuses the
  // task definition's execution role for a while, and the launch waits and tries again.
  const usual = await backendSetting('iam_propagation_s', 40);
  try {
    const home = practiceHome({ wizard: await earlierSteps(app) });
    await withApp({ home, env: env() }, async (browser) => {
      await openLaunch(browser);
      await click(browser, 'Review plan');
      await waitForText(browser, 'Review the plan');
      await click(browser, 'Launch now');
      await waitForText(browser, 'AWS is still spreading the new role', 30000);
      await saveScreenshot(browser, 'launch-waiting-for-role');
      // Leaving the page does not stop the launch; coming back shows it live again.
      await click(browser, 'Activity');
      await waitForText(browser, 'aws ec2 create-security-group');
      await click(browser, 'Launch');
      await waitForText(browser, `Launching “${app}”`);
      await waitForText(browser, 'AWS is still spreading the new role');
      // The app is closed while it waits.
    });
    assert.equal((await servicesOf(app)).length, 0, 'the service was created before its task definition');

    await withApp({ home, env: env() }, async (browser) => {
      await openLaunch(browser);
      await waitForText(browser, `Unfinished launch of “${app}”`);
      await byName(browser, 'Resume');
      await saveScreenshot(browser, 'launch-unfinished');

      await click(browser, 'Resume');
      await waitForText(browser, 'Already there');
      // Still waiting for the role (nothing after it made yet): the button stops the launch.
      await waitForText(browser, 'AWS is still spreading the new role');
      await click(browser, 'Stop');
      await waitForText(browser, 'Stopped. Nothing was undone');
      await click(browser, 'Tear down');
      await tearDown(browser, app);
    });
  } finally {
    await backendSetting('iam_propagation_s', usual);
  }
  assert.equal((await servicesOf(app)).length, 0, 'the service is gone');
});

test('a task of the service that crashes is explained with its exit code and last log lines', async () => {
  const app = unique('e2e-crash');
  // The app logs an error and exits, as a Node app missing a module does.
  const cmd = ['sh', '-c', `echo 'Server starting on :80'; echo "Error: Cannot find module 'express'"; exit 1`];
  const home = practiceHome({ wizard: await earlierSteps(app, { cmd }) });

  await withApp({ home, env: env() }, async (browser) => {
    await openLaunch(browser);
    await click(browser, 'Review plan');
    await waitForText(browser, 'Review the plan');
    await click(browser, 'Launch now');

    await waitForText(browser, 'Your app exited', 60000);
    await waitForText(browser, 'exit code 1');
    await waitForText(browser, "Error: Cannot find module 'express'");
    await waitForText(browser, 'Essential container in task exited');
    await saveScreenshot(browser, 'launch-stopped');

    await click(browser, 'Tear down');
    await tearDown(browser, app);
  });
  assert.equal((await servicesOf(app)).length, 0, 'the service is gone');
});

/** The role ECS Express Mode needs, as the IAM step makes it (once per account; kept). */
async function infrastructureRole() {
  await moto('iam', {
    form: {
      Action: 'CreateRole',
      Version: '2010-05-08',
      RoleName: 'ecsInfrastructureRoleForExpressServices',
      AssumeRolePolicyDocument: JSON.stringify({
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      }),
    },
  }).catch((e) => {
    if (!/EntityAlreadyExists/.test(e.message)) throw e;
  });
}

/** The values of `variable` in the running containers of `app`'s tasks (the backend runs each). */
async function taskEnv(app, variable) {
  const { taskArns } = await ecs('ListTasks', { cluster: 'berth', serviceName: app });
  return taskArns.flatMap((arn) =>
    execFileSync('docker', ['ps', '-q', '--filter', `label=berth.moto.task=${arn}`], { encoding: 'utf8' })
      .split(/\s+/)
      .filter(Boolean)
      .flatMap((id) => {
        const [config] = JSON.parse(execFileSync('docker', ['inspect', id], { encoding: 'utf8' }));
        return (config.Config.Env ?? []).filter((e) => e.startsWith(`${variable}=`)).map((e) => e.slice(variable.length + 1));
      }),
  );
}

test('a stable HTTPS address: planned with its load balancer, followed to its URL, a secret changed in Deployments, torn down', async () => {
  const app = unique('e2e-https');
  await infrastructureRole();
  const home = practiceHome({ wizard: await earlierSteps(app) });
  await withApp({ home, env: env() }, async (browser) => {
    await openLaunch(browser);
    await click(browser, /^A stable HTTPS address/);
    await click(browser, 'Add variable');
    await typeInto(browser, 'Name of variable 1', 'E2E_TOKEN');
    await click(browser, 'Keep variable 1 secret');
    await typeInto(browser, 'Value of variable 1', 'first-token-5521');
    // The load balancer's hour is in the estimate: 0.0123425 (task) + 0.0225 (load balancer).
    await waitForText(browser, 'Load balancer (stable HTTPS address)');
    await saveScreenshot(browser, 'launch-https-form');

    await click(browser, 'Review plan');
    await waitForText(browser, 'Review the plan');
    await click(browser, `Show the aws command: Express service ${app}`);
    await waitForText(browser, 'aws ecs create-express-gateway-service --cluster berth');
    const plan = await pageText(browser);
    assert.ok(!plan.includes('first-token-5521'), 'the plan shows the secret value');
    await click(browser, 'Launch now');
    const url = new RegExp(`https://${app}-[a-z0-9]+\\.ecs\\.us-east-1\\.on\\.aws`);
    await browser.waitUntil(async () => url.test(await pageText(browser)), {
      timeout: 90000,
      timeoutMsg: 'the timeline shows the HTTPS address',
    });
    await waitForText(browser, 'The service runs.', 90000);
    const address = (await pageText(browser)).match(url)[0];
    await saveScreenshot(browser, 'launch-https-running');
    assert.deepEqual(await taskEnv(app, 'E2E_TOKEN'), ['first-token-5521']);

    // Deployments: the address with a copy button; the secret's value changed there reaches new
    // tasks (through Express Mode), and the value typed is not kept on the page.
    await click(browser, 'Deployments');
    await waitForText(browser, address);
    await byName(browser, `Copy the HTTPS address of ${app}`);
    // Its cost counts the load balancer: 0.0173425 (the task) + 0.0225 an hour.
    await waitForText(browser, '$0.0398 an hour');
    await click(browser, `Secrets of ${app}`);
    await click(browser, 'Change the value of E2E_TOKEN');
    await typeInto(browser, 'New value of E2E_TOKEN', 'second-token-5521');
    await click(browser, 'Save and redeploy');
    await waitForText(browser, 'E2E_TOKEN has a new value', 30000);
    assert.ok(!(await browser.execute(() => document.body.innerHTML)).includes('second-token-5521'));
    await browser.waitUntil(async () => {
      const values = await taskEnv(app, 'E2E_TOKEN');
      return values.length > 0 && values.every((v) => v === 'second-token-5521');
    }, { timeout: 90000, timeoutMsg: 'the running tasks have the new value alone' });
    await saveScreenshot(browser, 'deployments-https');

    await click(browser, `Tear down ${app}`);
    await tearDown(browser, app);
  });
  assert.equal((await servicesOf(app)).length, 0, 'the service is gone');
});

test('the Launch step is in Korean in Korean mode', async () => {
  const app = unique('e2e-ko');
  const home = practiceHome({ wizard: await earlierSteps(app) });
  await withApp({ home, env: env() }, async (browser) => {
    await chooseLanguage(browser, 'Language', 'ko');
    await click(browser, '실행');
    await waitForText(browser, '계획 검토');
    const text = await pageText(browser);
    for (const label of ['크기', '컨테이너', '네트워킹', '예상 비용', '계속 실행 (서비스)']) {
      assert.ok(text.includes(label), `"${label}" missing from the Korean Launch page`);
    }
    await saveScreenshot(browser, 'launch-ko');
  });
});
