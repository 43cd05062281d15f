/** The wizard steps, in order. */
export const STEPS = ['account', 'iam', 'repository', 'image', 'launch'] as const;
/** The views beside the wizard. */
export const VIEWS = ['repositories', 'deployments', 'activity', 'settings'] as const;

export type Step = (typeof STEPS)[number];
export type View = (typeof VIEWS)[number];
export type PageId = 'environment' | Step | View;

/** The pages that ask AWS as they open: before the Account step is done they lead there instead. */
export const ASKS_AWS: ReadonlySet<PageId> = new Set(['iam', 'repository', 'launch', 'repositories', 'deployments']);

/** 1-based step number, or null for pages that are not wizard steps. */
export function stepNumber(page: PageId): number | null {
  const i = (STEPS as readonly string[]).indexOf(page);
  return i === -1 ? null : i + 1;
}
