// Test support only: Deployments view answers (snapshots, monitor states) and a mock backend.
import { mockIPC } from '@tauri-apps/api/mocks';
import type {
  BerthError,
  ClusterStatus,
  DeploymentsSnapshot,
  LaunchEvent,
  MonitorState,
  Revision,
  RevisionList,
  Rollback,
  ServiceStatus,
  TaskStatus,
  TeardownPlan,
} from '../ipc/types';
import { teardownPlan } from './fixtures';
import { appJobs, fakeJobs, type FakeJobs } from './jobs';

const ACCOUNT = '123456789012';
const NOW = Date.UTC(2026, 10, 25, 9, 0, 0);

export function task(overrides: Partial<TaskStatus> = {}): TaskStatus {
  const id = overrides.id ?? '0f1e2d3c4b5a69788796a5b4c3d2e1f0';
  return {
    arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task/web/${id}`,
    id,
    cluster: 'web',
    service: 'shop',
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    health: null,
    launchType: 'FARGATE',
    cpu: 256,
    memory: 512,
    cpuArchitecture: 'X86_64',
    taskDefinition: 'shop:3',
    taskDefinitionArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/shop:3`,
    image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shop:v3`,
    publicIp: '3.91.20.7',
    privateIp: '172.31.5.9',
    createdAt: NOW - 3 * 3600_000,
    startedAt: NOW - 2 * 3600_000 - 5 * 60_000,
    stoppedAt: null,
    stoppedReason: null,
    stopCode: null,
    stoppedByBerth: false,
    containers: [{ name: 'app', lastStatus: 'RUNNING', exitCode: null, reason: null }],
    hasLogs: true,
    cost: { hourlyUsd: 0.01845, monthlyUsd: 13.47, complete: true },
    ...overrides,
  };
}

export function service(overrides: Partial<ServiceStatus> = {}): ServiceStatus {
  const tasks = overrides.tasks ?? [task()];
  return {
    name: 'shop',
    arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:service/web/shop`,
    cluster: 'web',
    status: 'ACTIVE',
    desired: 1,
    running: 1,
    pending: 0,
    launchType: 'FARGATE',
    taskDefinition: 'shop:3',
    taskDefinitionArn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/shop:3`,
    image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shop:v3`,
    cpu: 256,
    memory: 512,
    cpuArchitecture: 'X86_64',
    createdAt: NOW - 26 * 3600_000,
    deployments: [
      {
        id: 'ecs-svc/1',
        status: 'PRIMARY',
        rolloutState: 'COMPLETED',
        rolloutStateReason: null,
        taskDefinition: 'shop:3',
        desired: 1,
        running: 1,
        pending: 0,
        failed: 0,
        createdAt: NOW - 26 * 3600_000,
        updatedAt: NOW - 25 * 3600_000,
      },
    ],
    events: [
      { id: 'e2', at: NOW - 60_000, message: '(service shop) has reached a steady state.' },
      { id: 'e1', at: NOW - 3600_000, message: '(service shop) has started 1 tasks: (task 0f1e2d3c).' },
    ],
    tasks,
    cost: { hourlyUsd: 0.01845 * tasks.length, monthlyUsd: 13.47 * tasks.length, complete: true },
    managed: true,
    app: 'shop',
    hasLogs: true,
    scaling: null,
    express: false,
    url: null,
    ...overrides,
  };
}

export function cluster(overrides: Partial<ClusterStatus> = {}): ClusterStatus {
  const services = overrides.services ?? [service()];
  return {
    name: 'web',
    arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/web`,
    services,
    tasks: [],
    runningTasks: services.reduce((n, s) => n + s.tasks.length, 0),
    cost: { hourlyUsd: 0.01845, monthlyUsd: 13.47, complete: true },
    ...overrides,
  };
}

export function snapshot(overrides: Partial<DeploymentsSnapshot> = {}): DeploymentsSnapshot {
  const clusters = overrides.clusters ?? [cluster()];
  return {
    region: 'us-east-1',
    practice: false,
    takenAt: NOW,
    clusters,
    recentlyStopped: [],
    runningTasks: clusters.reduce((n, c) => n + c.runningTasks, 0),
    cost: { hourlyUsd: 0.01845, monthlyUsd: 13.47, complete: true },
    prices: { asOf: '2026-11-01', url: 'https://aws.amazon.com/fargate/pricing/' },
    ...overrides,
  };
}

export function monitorState(overrides: Partial<MonitorState> = {}): MonitorState {
  return {
    snapshot: snapshot(),
    refreshing: false,
    error: null,
    failures: 0,
    backoffMs: 0,
    nextRefreshAt: Date.now() + 30_000,
    paused: false,
    intervalSecs: 30,
    ...overrides,
  };
}

/** One ACTIVE revision of shop's family (shop:2 unless told otherwise). */
export function revision(overrides: Partial<Revision> = {}): Revision {
  const taskDefinition = overrides.taskDefinition ?? 'shop:2';
  const number = Number(taskDefinition.split(':')[1]);
  const digest = `sha256:${String(number).repeat(64)}`;
  return {
    taskDefinition,
    arn: `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/${taskDefinition}`,
    revision: number,
    image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shop@${digest}`,
    digest,
    tags: [`v${number}`],
    imageInRepository: true,
    registeredAt: NOW - (4 - number) * 24 * 3600_000,
    registeredBy: `arn:aws:iam::${ACCOUNT}:user/ana`,
    registeredByName: 'ana',
    cpu: '256',
    memory: '512',
    current: false,
    ...overrides,
  };
}

/** shop's revisions: shop:3 runs now, shop:2 was deployed by CI, shop:1's image is gone. */
export function revisionList(overrides: Partial<RevisionList> = {}): RevisionList {
  return {
    cluster: 'web',
    service: 'shop',
    family: 'shop',
    current: 'shop:3',
    revisions: [
      revision({ taskDefinition: 'shop:3', current: true }),
      revision({
        taskDefinition: 'shop:2',
        registeredBy: `arn:aws:sts::${ACCOUNT}:assumed-role/Deploy/github-ci`,
        registeredByName: 'Deploy (github-ci)',
      }),
      revision({ taskDefinition: 'shop:1', tags: [], imageInRepository: false }),
    ],
    more: false,
    limit: 20,
    ...overrides,
  };
}

/** How a roll back of shop to `to` ended: running again, with its address. */
export function rolledBack(to = 'shop:2', overrides: Partial<Rollback> = {}): Rollback {
  return {
    cluster: 'web',
    service: 'shop',
    from: 'shop:3',
    to,
    end: { state: 'running', addresses: [{ taskId: 'bbbb2222cccc3333', publicIp: '3.91.20.8', privateIp: '172.31.5.10', url: 'http://3.91.20.8:80' }] },
    ...overrides,
  };
}

type Args = Record<string, unknown>;
type Emit = (...events: LaunchEvent[]) => void;

/**
 * A stand-in for the Deployments commands: records calls; the always-running `deployments` job
 * holds the loop's state (its replay is the newest one) and `push` sends a new one. A teardown
 * runs as a job: `start_teardown`'s handler gets an `emit` and answers the plan that ends it; a
 * roll back too (`start_rollback`, ending with the Rollback its handler answers).
 */
export function mockDeploymentsBackend(initial: MonitorState = monitorState(), jobs: FakeJobs = fakeJobs()) {
  const calls: { cmd: string; args: Args }[] = [];
  const answers: Partial<Record<string, (args: Args, emit: Emit) => unknown>> = {};
  /** A command's refusal before any job starts (the backend's checks). */
  const refusals: Partial<Record<string, (args: Args) => BerthError | null>> = {};
  const { deployments } = appJobs(jobs, structuredClone(initial));
  const defaults: Record<string, (args: Args, emit: Emit) => unknown> = {
    show_deployments: () => null,
    refresh_deployments: () => null,
    scale_service: () => null,
    redeploy_service: () => null,
    delete_service: () => null,
    stop_task: () => null,
    deploy_image_tag: () => ({
      taskDefinition: 'shop:4',
      image: `${ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/shop@sha256:${'4'.repeat(64)}`,
      digest: `sha256:${'4'.repeat(64)}`,
    }),
    list_task_log_streams: () => [{ container: 'app', group: '/berth/shop', stream: 'ecs/app/0f1e2d3c4b5a69788796a5b4c3d2e1f0' }],
    read_task_logs: () => ({ lines: [], earlier: null, later: 'f/1' }),
    read_service_metrics: (args) => ({ range: args.range, start: 0, end: 3600, periodSecs: 60, cpu: [], memory: [] }),
    list_revisions: () => revisionList(),
    list_service_secrets: () => [{ name: 'DB_PASSWORD', parameter: '/berth/shop/DB_PASSWORD', changeable: true }],
    change_service_secret: () => null,
    start_rollback: (args, emit) => {
      const to = args.taskDefinition as string;
      emit({ event: 'action', resource: 'service', outcome: 'updated', name: 'shop', id: to, command: `aws ecs update-service --cluster web --service shop --task-definition ${to}` });
      emit({ event: 'task', taskId: 'bbbb2222cccc3333', lastStatus: 'RUNNING', desiredStatus: 'RUNNING' });
      return rolledBack(to);
    },
    plan_teardown: (args) => teardownPlan(args.name as string),
    start_teardown: (args, emit) => {
      const app = args.name as string;
      emit({ event: 'action', resource: 'service', outcome: 'deleted', name: app, id: null, command: null });
      emit({ event: 'tornDown', app });
      return teardownPlan(app);
    },
  };
  mockIPC((cmd, payload) => {
    const raw = (payload ?? {}) as Args;
    const { channel: _channel, ...args } = raw;
    calls.push({ cmd, args });
    if (!answers[cmd] && jobs.handles(cmd)) return jobs.handle(cmd, raw);
    const handler = answers[cmd] ?? defaults[cmd];
    if (!handler) throw new Error(`unexpected command ${cmd}`);
    if (cmd === 'start_rollback') {
      // Checked before the job starts, as the backend does: a refusal rejects the command.
      const refused = refusals.start_rollback?.(args);
      if (refused) throw refused;
      return jobs.spawn<LaunchEvent, unknown>(
        'rollback',
        `${args.cluster}/${args.service}`,
        (event) => ({ type: 'launch', event }),
        (emit) => handler(args, emit),
        (value) => ({ outcome: 'rolledBack', value: value as Rollback }),
      );
    }
    if (cmd !== 'start_teardown') return handler(args, () => {});
    return jobs.spawn<LaunchEvent, unknown>(
      'teardown',
      args.name as string,
      (event) => ({ type: 'launch', event }),
      (emit) => handler(args, emit),
      (value) => ({ outcome: 'tornDown', value: value as TeardownPlan }),
    );
  });
  return {
    answers,
    refusals,
    calls,
    jobs,
    argsOf: (cmd: string) => calls.filter((c) => c.cmd === cmd).map((c) => c.args),
    /** Sends a new loop state to the view, as the backend does after each refresh. */
    push(state: MonitorState) {
      jobs.deployments(deployments, structuredClone(state));
    },
  };
}
