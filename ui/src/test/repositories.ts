// Test support only: a stand-in for Berth's ECR commands that keeps repositories and images like
// the backend would, layered on mockAccountBackend (whose `answers` it fills in).
import type {
  BerthError,
  CreatedRepository,
  ImageSummary,
  LifecycleRule,
  LifecycleSummary,
  NewRepository,
  PlannedAction,
  RepositoryDeletion,
  RepositoryDetails,
  RepositoryList,
  RepositoryRef,
  RepositorySummary,
  RepositoryUsage,
} from '../ipc/types';
import { accountOverview, mockAccountBackend } from './fixtures';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';
// Sizes as ECR reports them: any number of bytes. These two are the binary units, so an expected
// text shows the decimal units the UI writes (10 MiB reads "10.5 MB").
export const MiB = 1024 * 1024;
export const GiB = 1024 * MiB;

export type FakeRepository = {
  summary: RepositorySummary;
  images: ImageSummary[];
  managed: boolean;
  lifecycle: LifecycleSummary | null;
};

let nextDigest = 1;

export function digest(n = nextDigest++): string {
  return `sha256:${n.toString(16).padStart(64, '0')}`;
}

export function image(tags: string[], sizeBytes: number, pushedAt = Date.UTC(2026, 10, 1)): ImageSummary {
  return { digest: digest(), tags, pushedAt, sizeBytes };
}

export function summary(name: string, createdAt = Date.UTC(2026, 9, 1)): RepositorySummary {
  return {
    name,
    uri: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${name}`,
    arn: `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/${name}`,
    registryId: ACCOUNT,
    createdAt,
    scanOnPush: true,
    tagMutability: 'mutable',
    encryption: { kind: 'aes256' },
  };
}

export function repository(
  name: string,
  { images = [], managed = false, lifecycle = null, createdAt }: Partial<Omit<FakeRepository, 'summary'>> & { createdAt?: number } = {},
): FakeRepository {
  return { summary: summary(name, createdAt), images, managed, lifecycle };
}

export function lifecycleOf(rule: LifecycleRule): LifecycleSummary {
  return { keepLast: rule.keepLast, untaggedDays: rule.untaggedDays, otherRules: 0, text: JSON.stringify(rule) };
}

export function notFound(name: string): BerthError {
  return {
    kind: 'notFound',
    params: { action: 'ecr:DescribeRepositories', code: 'RepositoryNotFoundException', resource: 'repository', name },
    details: `The repository with name '${name}' does not exist`,
  };
}

export function accessDenied(action: string): BerthError {
  return { kind: 'accessDenied', params: { action }, details: 'HTTP 403' };
}

type Args = Record<string, unknown>;

/** Installs the ECR commands on a mocked backend; `state` is what "AWS" holds. */
export function mockRepositories(initial: FakeRepository[] = [], remembered: string | null = null) {
  // Signed in: the pages that list repositories ask for the Account step first otherwise.
  const backend = mockAccountBackend(accountOverview({ settings: { source: { kind: 'profile', name: 'dev' }, region: REGION } }));
  const state = new Map(initial.map((r) => [r.summary.name, structuredClone(r)]));
  const wizard = { executionRoleArn: null, repository: remembered, image: null };

  const details = (r: FakeRepository): RepositoryDetails => ({
    repository: structuredClone(r.summary),
    lifecycle: r.lifecycle,
    managed: r.managed,
  });
  const find = (name: string) => {
    const r = state.get(name);
    if (!r) throw notFound(name);
    return r;
  };
  const bytes = (r: FakeRepository) => r.images.reduce((s, i) => s + i.sizeBytes, 0);
  const cli = (rest: string) => `aws ecr ${rest} --region ${REGION}`;

  const handlers: Record<string, (args: Args) => unknown> = {
    get_wizard: () => structuredClone(wizard),
    list_repositories: (): RepositoryList => ({
      region: REGION,
      repositories: [...state.values()].map((r) => structuredClone(r.summary)).sort((a, b) => (a.name < b.name ? -1 : 1)),
      pricing: { perGbMonthUsd: 0.1, source: { asOf: '2026-11-01', url: 'https://aws.amazon.com/ecr/pricing/' } },
      command: cli('describe-repositories'),
    }),
    get_repository_usage: (args) =>
      (args.repositories as RepositoryRef[]).map((ref): RepositoryUsage => {
        const r = state.get(ref.name);
        if (!r) return { status: 'gone', name: ref.name };
        const total = bytes(r);
        return {
          status: 'measured',
          name: ref.name,
          imageCount: r.images.length,
          totalBytes: total,
          monthlyCostUsd: (total / GiB) * 0.1,
          managed: r.managed,
          app: r.managed ? ref.name : null,
        };
      }),
    get_repository: (args) => details(find(args.name as string)),
    choose_repository: (args) => {
      const r = find(args.name as string);
      wizard.repository = r.summary.name;
      return details(r);
    },
    list_repository_images: (args) =>
      structuredClone(find(args.name as string).images).sort((a, b) => (b.pushedAt ?? 0) - (a.pushedAt ?? 0)),
    create_repository: (args): CreatedRepository => {
      const input = args.repository as NewRepository;
      if (state.has(input.name)) {
        throw {
          kind: 'alreadyExists',
          params: { action: 'ecr:CreateRepository', code: 'RepositoryAlreadyExistsException', resource: 'repository', name: input.name },
          details: null,
        } satisfies BerthError;
      }
      const made = repository(input.name, { managed: true, createdAt: Date.UTC(2026, 10, 25) });
      made.summary.scanOnPush = input.scanOnPush;
      made.summary.tagMutability = input.tagMutability;
      made.summary.encryption = input.encryption;
      const rule = input.lifecycle;
      made.lifecycle = rule.keepLast !== null || rule.untaggedDays !== null ? lifecycleOf(rule) : null;
      state.set(input.name, made);
      wizard.repository = input.name;
      return { details: details(made), lifecycleError: null };
    },
    put_lifecycle_rule: (args) => {
      const r = find(args.name as string);
      r.lifecycle = lifecycleOf(args.rule as LifecycleRule);
      return r.lifecycle;
    },
    delete_repository: (args): RepositoryDeletion => {
      const name = args.name as string;
      const confirmation = args.confirmation as string | null;
      const r = state.get(name);
      if (!r) return { outcome: 'alreadyGone', name };
      if (r.images.length > 0 && confirmation !== name) {
        return { outcome: 'needsConfirmation', name, imageCount: r.images.length, totalBytes: bytes(r) };
      }
      state.delete(name);
      if (wizard.repository === name) wizard.repository = null;
      return { outcome: 'deleted', name, forced: confirmation === name };
    },
    delete_repository_images: (args) => {
      const r = find(args.repository as string);
      const wanted = args.digests as string[];
      const present = new Set(r.images.map((i) => i.digest));
      r.images = r.images.filter((i) => !wanted.includes(i.digest));
      return {
        deleted: wanted.filter((d) => present.has(d)),
        alreadyGone: wanted.filter((d) => !present.has(d)),
        failures: [],
      };
    },
    preview_ecr_commands: (args) => {
      const action = args.action as PlannedAction;
      if (action.action === 'createRepository') {
        const out = [cli(`create-repository --repository-name ${action.repository.name}`)];
        if (action.repository.lifecycle.keepLast !== null || action.repository.lifecycle.untaggedDays !== null) {
          out.push(cli(`put-lifecycle-policy --repository-name ${action.repository.name}`));
        }
        return out;
      }
      if (action.action === 'chooseRepository') return [cli(`describe-repositories --repository-names ${action.name}`)];
      if (action.action === 'putLifecycleRule') {
        return [cli(`put-lifecycle-policy --repository-name ${action.name} --lifecycle-policy-text ${JSON.stringify(action.rule)}`)];
      }
      if (action.action === 'deleteRepository') {
        return [cli(`delete-repository --repository-name ${action.name}${action.force ? ' --force' : ''}`)];
      }
      return [cli(`batch-delete-image --repository-name ${action.repository} --image-ids ${action.digests.map((d) => `imageDigest=${d}`).join(' ')}`)];
    },
  };

  for (const [cmd, handler] of Object.entries(handlers)) {
    backend.answers[cmd] = (args) => {
      try {
        return handler(args);
      } catch (error) {
        return Promise.reject(error);
      }
    };
  }

  return {
    backend,
    /** What "AWS" holds now. */
    state,
    wizard,
    /** Replace one command's answer (a value, a promise, or a rejection). */
    answer(cmd: string, handler: (args: Args) => unknown) {
      backend.answers[cmd] = handler;
    },
    /** The default handler of a command, to wrap it. */
    handler: (cmd: string) => handlers[cmd],
    argsOf: backend.argsOf,
    calls: backend.calls,
  };
}
