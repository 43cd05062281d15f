// Test support only: sample backend answers and helpers for mockIPC.
import { mockIPC } from '@tauri-apps/api/mocks';
import { setLanguage, STORAGE_KEY } from '../lib/i18n/index.svelte';
import { appJobs, fakeJobs, type FakeJobs } from './jobs';
import type {
  AccountOverview,
  AccountSettings,
  ActivityEntry,
  ActivityView,
  AwsConfigSummary,
  BerthError,
  CostEstimate,
  DockerContexts,
  DockerStatus,
  FargateCpu,
  JobOutcome,
  LaunchChoices,
  LaunchEvent,
  LaunchOverview,
  LaunchPlan,
  LaunchRecord,
  NetworkOverview,
  NewIdentity,
  Preferences,
  ReadTally,
  TeardownItem,
  TeardownPlan,
  VerifiedIdentity,
} from '../ipc/types';

export const runningDocker: DockerStatus = {
  state: 'available',
  engine: {
    version: '27.3.1',
    apiVersion: '1.47',
    os: 'linux',
    arch: 'amd64',
    host: 'unix:///var/run/docker.sock',
    context: 'default',
    source: 'default',
    tls: false,
    product: null,
  },
};

/** The docker CLI's contexts when only the default one exists. */
export const defaultContexts: DockerContexts = {
  contexts: [{ name: 'default', description: '', host: 'unix:///var/run/docker.sock', tls: false, error: null }],
  current: 'default',
  source: 'default',
  cliCurrent: 'default',
  chosen: null,
  configDir: '/home/ada/.docker',
};

export function unavailableDocker(error: BerthError): DockerStatus {
  return { state: 'unavailable', error };
}

export const awsWithProfiles: AwsConfigSummary = {
  configFile: '/home/ada/.aws/config',
  credentialsFile: '/home/ada/.aws/credentials',
  profiles: [
    { name: 'default', region: 'eu-west-1', kind: 'staticKeys' },
    { name: 'work-sso', region: null, kind: 'sso' },
  ],
  regions: ['eu-west-1'],
  defaultRegion: 'eu-west-1',
  defaultRegionSource: 'defaultProfile',
  problem: null,
};

export const awsEmpty: AwsConfigSummary = {
  configFile: '/home/ada/.aws/config',
  credentialsFile: '/home/ada/.aws/credentials',
  profiles: [],
  regions: [],
  defaultRegion: null,
  defaultRegionSource: null,
  problem: null,
};

/** A promise with its resolve function, to hold a mocked command until the test lets it answer. */
export function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** English, with nothing remembered. */
export function resetLanguage(): void {
  setLanguage('en');
  localStorage.removeItem(STORAGE_KEY);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The regions Berth offers (as the backend lists them). */
export const REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'af-south-1', 'ap-east-1', 'ap-south-1', 'ap-south-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-northeast-1', 'ap-northeast-2',
  'ap-northeast-3', 'ca-central-1', 'ca-west-1', 'eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2',
  'eu-west-3', 'eu-south-1', 'eu-south-2', 'eu-north-1', 'il-central-1', 'me-south-1', 'me-central-1', 'sa-east-1',
];

export const noPractice = { enabled: false, managed: false, endpointUrl: '', registry: '' };

/** An Account step answer: nothing chosen yet, no keys saved, the two sample profiles. */
export function accountOverview(
  overrides: Partial<Omit<AccountOverview, 'settings'>> & { settings?: Partial<AccountSettings> } = {},
): AccountOverview {
  const { settings, ...rest } = overrides;
  return {
    identities: [],
    profiles: awsWithProfiles.profiles,
    regions: REGIONS,
    suggestedRegion: null,
    ...rest,
    settings: { source: null, region: null, practice: noPractice, ...settings },
  };
}

export const aliceVerified: VerifiedIdentity = {
  account: '123456789012',
  arn: 'arn:aws:iam::123456789012:user/team/alice',
  principal: 'user',
  name: 'alice',
};

export function invalidInput(field: string, rule: string, extra: Record<string, string> = {}): BerthError {
  return { kind: 'invalidInput', params: { field, rule, ...extra }, details: null };
}

type Args = Record<string, unknown>;
type Handler = (args: Args) => unknown;

/**
 * A stand-in for Berth's account commands (plus the environment probes) that keeps its state
 * like the backend does, records every call, and lets a test replace any command's answer.
 */
/** Commands the frame calls on its own, whatever the user does. */
const BACKGROUND_COMMANDS = [
  'probe_docker',
  // The practice card reads whether earlier practice data is kept (to offer its reset).
  'practice_status',
  'list_docker_contexts',
  'read_aws_config',
  'list_activity',
  'list_jobs',
  'attach_job',
  'detach_job',
  'get_preferences',
  'update_preferences',
];

/** The preferences of a fresh install. */
export const defaultPreferences: Preferences = {
  language: null,
  theme: 'system',
  refreshIntervalSecs: 30,
  keepInTray: false,
  notifications: true,
};

/** An activity log with these entries (changes) and no reads. */
export function activityView(entries: ActivityEntry[] = [], reads: ReadTally[] = []): ActivityView {
  return { entries, reads };
}

export function mockAccountBackend(initial: AccountOverview = accountOverview()) {
  let state: AccountOverview = structuredClone(initial);
  const jobs = fakeJobs();
  const running = appJobs(jobs);
  let preferences: Preferences = structuredClone(defaultPreferences);
  const calls: { cmd: string; args: Args }[] = [];
  const answers: Partial<Record<string, Handler>> = {};
  const answer = () => structuredClone(state);

  const defaults: Record<string, Handler> = {
    probe_docker: () => runningDocker,
    list_docker_contexts: () => defaultContexts,
    read_aws_config: () => awsWithProfiles,
    practice_status: () => ({ state: 'stopped', endpoints: null, hasSavedData: false }),
    get_account: answer,
    save_identity: (args) => {
      const identity = args.identity as NewIdentity;
      const name = identity.name.trim();
      const key = identity.accessKeyId.trim();
      state.identities = [
        ...state.identities.filter((i) => i.name !== name),
        { name, maskedKeyId: `${key.slice(0, 4)}…${key.slice(-4)}`, hasSessionToken: identity.sessionToken !== null },
      ].sort((a, b) => a.name.localeCompare(b.name));
      state.settings.source = { kind: 'keychain', name };
      return answer();
    },
    remove_identity: (args) => {
      const name = args.name as string;
      state.identities = state.identities.filter((i) => i.name !== name);
      if (state.settings.source?.kind === 'keychain' && state.settings.source.name === name) {
        state.settings.source = null;
      }
      return answer();
    },
    update_account: (args) => {
      const account = args.account as AccountSettings;
      if (account.practice.enabled && !/^https?:\/\/[^/\s]/.test(account.practice.endpointUrl)) {
        return Promise.reject(invalidInput('endpointUrl', 'format'));
      }
      state.settings = structuredClone(account);
      return answer();
    },
    verify_account: () => aliceVerified,
    list_activity: () => activityView(),
    clear_activity: () => null,
    get_wizard: () => ({ executionRoleArn: null, repository: null, image: null }),
    get_preferences: () => structuredClone(preferences),
    desktop_support: () => ({ trayHost: true, notifications: true }),
    update_preferences: (args) => {
      preferences = structuredClone(args.preferences as Preferences);
      return structuredClone(preferences);
    },
    get_launch: () => launchOverview({ image: null, executionRoleArn: null }),
    get_launch_network: () => defaultNetwork,
    estimate_launch_cost: () => null,
  };

  mockIPC((cmd, payload) => {
    const raw = (payload ?? {}) as Args;
    const { channel: _channel, ...rest } = raw;
    const args = structuredClone(rest);
    calls.push({ cmd, args });
    if (!answers[cmd] && jobs.handles(cmd)) return jobs.handle(cmd, raw);
    const handler = answers[cmd] ?? defaults[cmd];
    if (!handler) throw new Error(`unexpected command ${cmd}`);
    return handler(args);
  });

  return {
    /** Replace a command's answer: return a value or a promise, or reject with a BerthError. */
    answers,
    calls,
    /** The backend's jobs, with the app-wide activity feed and Deployments watch running. */
    jobs,
    /** The ids of the activity feed and the Deployments watch. */
    appJobs: running,
    /** The arguments of every call of `cmd`, in order. */
    argsOf: (cmd: string) => calls.filter((c) => c.cmd === cmd).map((c) => c.args),
    /** Command names in call order, without the environment probes and the activity log. */
    order: () => calls.map((c) => c.cmd).filter((c) => !BACKGROUND_COMMANDS.includes(c)),
    get state() {
      return state;
    },
    get preferences() {
      return preferences;
    },
    set state(next: AccountOverview) {
      state = structuredClone(next);
    },
  };
}

// ---------------------------------------------------------------- Launch (wizard step 5)

/** The Fargate size table, as the backend sends it. */
export const FARGATE_SIZES: FargateCpu[] = [
  { cpu: 256, memory: [512, 1024, 2048] },
  { cpu: 512, memory: [1024, 2048, 3072, 4096] },
  { cpu: 1024, memory: [2048, 3072, 4096, 5120, 6144, 7168, 8192] },
  { cpu: 2048, memory: Array.from({ length: 13 }, (_, i) => 4096 + i * 1024) },
  { cpu: 4096, memory: Array.from({ length: 23 }, (_, i) => 8192 + i * 1024) },
  { cpu: 8192, memory: Array.from({ length: 12 }, (_, i) => 16384 + i * 4096) },
  { cpu: 16384, memory: Array.from({ length: 12 }, (_, i) => 32768 + i * 8192) },
];

export const ROLE_ARN = 'arn:aws:iam::123456789012:role/ecsTaskExecutionRole';
export const INFRA_ROLE_ARN = 'arn:aws:iam::123456789012:role/ecsInfrastructureRoleForExpressServices';
export const IMAGE_URI = '123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1';

export function launchChoices(overrides: Partial<LaunchChoices> = {}): LaunchChoices {
  return {
    app: 'web',
    cpu: 256,
    memory: 512,
    architecture: 'X86_64',
    port: 80,
    environment: [],
    command: '',
    mode: 'service',
    count: 1,
    network: { vpcId: null, subnetIds: [], ingress: { kind: 'anywhere' }, publicIp: true },
    scaling: null,
    address: 'publicIp',
    ...overrides,
  };
}

export function launchOverview(overrides: Partial<LaunchOverview> = {}): LaunchOverview {
  return {
    region: 'us-east-1',
    practice: false,
    image: { repository: 'web', tag: 'v1', digest: 'sha256:abc', uri: IMAGE_URI, platform: 'linux/amd64', exposedPort: null },
    executionRoleArn: ROLE_ARN,
    sizes: FARGATE_SIZES,
    choices: launchChoices(),
    records: [],
    pricedRegions: ['us-east-1', 'ap-northeast-2'],
    prices: { asOf: '2026-11-01', url: 'https://aws.amazon.com/fargate/pricing/' },
    loadBalancerPerHour: 0.0225,
    ...overrides,
  };
}

export const defaultNetwork: NetworkOverview = {
  region: 'us-east-1',
  defaultVpc: 'vpc-default',
  vpcs: [
    {
      id: 'vpc-default',
      cidr: '172.31.0.0/16',
      name: null,
      isDefault: true,
      subnets: [
        { id: 'subnet-a', availabilityZone: 'us-east-1a', availabilityZoneId: 'use1-az1', cidr: '172.31.0.0/20', name: null, defaultForAz: true, fargate: true, fargateArm: true, public: true },
        { id: 'subnet-b', availabilityZone: 'us-east-1b', availabilityZoneId: 'use1-az2', cidr: '172.31.16.0/20', name: null, defaultForAz: true, fargate: true, fargateArm: true, public: true },
      ],
    },
    {
      id: 'vpc-mine',
      cidr: '10.1.0.0/16',
      name: 'mine',
      isDefault: false,
      subnets: [
        { id: 'subnet-private', availabilityZone: 'us-east-1a', availabilityZoneId: 'use1-az1', cidr: '10.1.1.0/24', name: null, defaultForAz: false, fargate: true, fargateArm: true, public: false },
        { id: 'subnet-public', availabilityZone: 'us-east-1a', availabilityZoneId: 'use1-az1', cidr: '10.1.2.0/24', name: null, defaultForAz: false, fargate: true, fargateArm: true, public: true },
        // use1-az3: Fargate runs no tasks there (docs/region-data.md).
        { id: 'subnet-az3', availabilityZone: 'us-east-1e', availabilityZoneId: 'use1-az3', cidr: '10.1.3.0/24', name: null, defaultForAz: false, fargate: false, fargateArm: false, public: true },
      ],
    },
  ],
};

/** The backend's estimate for the us-east-1 prices (the Rust tests check the figures). */
export function costFor(c: LaunchChoices): CostEstimate | null {
  const [vcpu, gb] = c.architecture === 'X86_64' ? [0.04048, 0.004445] : [0.03238, 0.00356];
  // As core's `launch::estimate`: a service that scales is priced from its fewest to its most tasks.
  const scaling = c.mode === 'service' ? c.scaling : null;
  const count = scaling ? scaling.min : c.count;
  // A stable HTTPS address: the tasks get public IPs, and the load balancer is added.
  const express = c.mode === 'service' && c.address === 'https';
  const publicIp = c.network.publicIp || express;
  const lb = express ? 0.0225 : 0;
  const task = (c.cpu / 1024) * vcpu + (c.memory / 1024) * gb + (publicIp ? 0.005 : 0);
  const compute = ((c.cpu / 1024) * vcpu + (c.memory / 1024) * gb) * count;
  const ipv4 = publicIp ? 0.005 * count : 0;
  const perHour = compute + ipv4 + lb;
  return {
    region: 'us-east-1',
    computePerHour: compute,
    publicIpv4PerHour: ipv4,
    perHour,
    perDay: perHour * 24,
    perMonth: perHour * 730,
    vcpuHour: vcpu,
    gbHour: gb,
    ipv4Hour: 0.005,
    source: { asOf: '2026-11-01', url: 'https://aws.amazon.com/fargate/pricing/' },
    maxCount: scaling ? scaling.max : null,
    maxPerHour: scaling ? task * scaling.max + lb : null,
    maxPerMonth: scaling ? (task * scaling.max + lb) * 730 : null,
    loadBalancerPerHour: express ? lb : null,
    loadBalancer: express,
  };
}

export function launchPlan(choices: LaunchChoices = launchChoices(), overrides: Partial<LaunchPlan> = {}): LaunchPlan {
  const app = choices.app;
  const cmd = (s: string) => [`aws ${s} --region us-east-1`];
  return {
    config: {
      choices,
      image: IMAGE_URI,
      imagePlatform: 'linux/amd64',
      repository: 'web',
      executionRoleArn: ROLE_ARN,
      infrastructureRoleArn: choices.address === 'https' ? INFRA_ROLE_ARN : null,
    },
    names: {
      app,
      cluster: 'berth',
      logGroup: `/berth/${app}`,
      securityGroup: `berth-${app}`,
      family: app,
      service: app,
      container: app,
    },
    region: 'us-east-1',
    practice: false,
    vpcId: 'vpc-default',
    subnetIds: ['subnet-a', 'subnet-b'],
    // As core's plan: an Express service (a stable HTTPS address) gets no security group, rule or
    // task definition of Berth's.
    items: choices.mode === 'service' && choices.address === 'https' ? [
      { resource: 'cluster', name: 'berth', action: 'reuse', id: 'arn:aws:ecs:us-east-1:123456789012:cluster/berth', changes: [], commands: [] },
      { resource: 'logGroup', name: `/berth/${app}`, action: 'create', id: null, changes: [], commands: cmd(`logs create-log-group --log-group-name /berth/${app}`) },
      { resource: 'expressService', name: app, action: 'create', id: null, changes: [], commands: cmd(`ecs create-express-gateway-service --cluster berth --service-name ${app}`) },
    ] : [
      { resource: 'cluster', name: 'berth', action: 'reuse', id: 'arn:aws:ecs:us-east-1:123456789012:cluster/berth', changes: [], commands: [] },
      { resource: 'logGroup', name: `/berth/${app}`, action: 'create', id: null, changes: [], commands: [...cmd(`logs create-log-group --log-group-name /berth/${app}`), ...cmd('logs put-retention-policy')] },
      { resource: 'securityGroup', name: `berth-${app}`, action: 'create', id: null, changes: [], commands: cmd('ec2 create-security-group') },
      { resource: 'ingressRule', name: 'tcp 80 ← 0.0.0.0/0', action: 'create', id: null, changes: [], commands: cmd('ec2 authorize-security-group-ingress') },
      { resource: 'taskDefinition', name: `${app}:1`, action: 'create', id: null, changes: [], commands: cmd(`ecs register-task-definition --family ${app}`) },
      choices.mode === 'service'
        ? { resource: 'service', name: app, action: 'create', id: null, changes: [], commands: cmd('ecs create-service') }
        : { resource: 'task', name: app, action: 'run', id: null, changes: [], commands: cmd('ecs run-task') },
    ],
    notes: [],
    blocked: false,
    cost: costFor(choices),
    ...overrides,
  };
}

export function launchRecord(overrides: Partial<LaunchRecord> = {}): LaunchRecord {
  return {
    app: 'web',
    region: 'us-east-1',
    endpointUrl: null,
    config: launchPlan().config,
    status: 'inProgress',
    startedAt: Date.UTC(2026, 10, 25, 9, 30),
    updatedAt: Date.UTC(2026, 10, 25, 9, 31),
    resources: [],
    tasks: [],
    addresses: [],
    url: null,
    diagnosis: null,
    afterStop: null,
    error: null,
    ...overrides,
  };
}

export function teardownPlan(app = 'web'): TeardownPlan {
  return {
    app,
    region: 'us-east-1',
    items: [
      { resource: 'service', name: app, id: 'arn:svc', action: 'delete', reason: null, commands: ['aws ecs update-service --desired-count 0', 'aws ecs delete-service'] },
      { resource: 'taskDefinition', name: `${app}:1`, id: 'arn:td', action: 'delete', reason: null, commands: ['aws ecs deregister-task-definition'] },
      { resource: 'securityGroup', name: `berth-${app}`, id: 'sg-other', action: 'keep', reason: 'notBerths', commands: [] },
      { resource: 'cluster', name: 'berth', id: 'arn:cluster', action: 'keep', reason: 'inUse', commands: [] },
    ].map((i) => ({ ...i, images: null, sizeBytes: null, monthlyUsd: null })) as TeardownItem[],
    shared: [
      {
        resource: 'repository',
        name: app,
        id: 'arn:repo',
        action: 'delete',
        reason: null,
        commands: [`aws ecr delete-repository --repository-name ${app} --force`],
        images: 3,
        sizeBytes: 2_147_483_648,
        monthlyUsd: 0.2,
      },
      {
        resource: 'executionRole',
        name: 'ecsTaskExecutionRole',
        id: 'arn:role',
        action: 'delete',
        reason: null,
        commands: ['aws iam delete-role --role-name ecsTaskExecutionRole'],
        images: null,
        sizeBytes: null,
        monthlyUsd: 0,
      },
      {
        resource: 'deployUser',
        name: 'berth-deployer',
        id: 'arn:user',
        action: 'keep',
        reason: 'signedIn',
        commands: [],
        images: null,
        sizeBytes: null,
        monthlyUsd: 0,
      },
    ],
    ecrPricePerGbMonth: 0.1,
  };
}

type Emit = (...events: LaunchEvent[]) => void;

/** The launch and teardown commands: each starts a job whose events and outcome the handler gives. */
const LAUNCH_JOBS: Record<string, { kind: 'launch' | 'teardown'; key: (args: Args) => string }> = {
  start_launch: { kind: 'launch', key: (args) => (args.choices as LaunchChoices).app },
  resume_launch: { kind: 'launch', key: (args) => args.name as string },
  start_teardown: { kind: 'teardown', key: (args) => args.name as string },
};

/**
 * A stand-in for the Launch commands (plus what the frame calls on its own). `start_launch`,
 * `resume_launch` and `start_teardown` answer a job id at once, as the backend does; their
 * handler is the job's work: it gets an `emit` for timeline events, and what it answers (a value
 * or a promise) ends the job (a launch record, or a teardown plan; a rejection fails it). A test
 * decides when each command answers by replacing it in `answers`; `jobs` is the job registry.
 */
export function mockLaunchBackend(initial: LaunchOverview = launchOverview(), jobs: FakeJobs = fakeJobs()) {
  const calls: { cmd: string; args: Args }[] = [];
  if (!jobs.latest('activity')) appJobs(jobs);
  const answers: Partial<Record<string, (args: Args, emit: Emit) => unknown>> = {};
  const defaults: Record<string, (args: Args, emit: Emit) => unknown> = {
    probe_docker: () => runningDocker,
    list_docker_contexts: () => defaultContexts,
    read_aws_config: () => awsWithProfiles,
    get_account: () => accountOverview(),
    list_activity: () => activityView(),
    get_launch: () => structuredClone(initial),
    get_launch_network: () => structuredClone(defaultNetwork),
    estimate_launch_cost: (args) => costFor(args.choices as LaunchChoices),
    plan_launch: (args) => launchPlan(args.choices as LaunchChoices),
    start_launch: () => launchRecord({ status: 'running' }),
    resume_launch: () => launchRecord({ status: 'running' }),
    plan_teardown: (args) => teardownPlan(args.name as string),
    start_teardown: (args) => teardownPlan(args.name as string),
    open_address: () => null,
    detect_my_ip: () => '203.0.113.7/32',
  };
  mockIPC((cmd, payload) => {
    const raw = (payload ?? {}) as Args;
    const { channel: _ignored, ...rest } = raw;
    calls.push({ cmd, args: structuredClone(rest) });
    if (!answers[cmd] && jobs.handles(cmd)) return jobs.handle(cmd, raw);
    const handler = answers[cmd] ?? defaults[cmd];
    if (!handler) throw new Error(`unexpected command ${cmd}`);
    const job = LAUNCH_JOBS[cmd];
    if (!job) return handler(rest, () => {});
    const key = job.key(rest);
    return jobs.spawn<LaunchEvent, unknown>(
      job.kind,
      key,
      (event) => ({ type: 'launch', event }),
      (emit) => handler(rest, emit),
      (value): JobOutcome =>
        job.kind === 'launch'
          ? { outcome: 'launched', value: value as LaunchRecord }
          : { outcome: 'tornDown', value: (value as TeardownPlan | null) ?? teardownPlan(key) },
    );
  });
  return {
    answers,
    calls,
    jobs,
    argsOf: (cmd: string) => calls.filter((c) => c.cmd === cmd).map((c) => c.args),
  };
}
