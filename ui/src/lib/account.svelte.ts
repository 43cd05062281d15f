// The account settings shared across screens: loaded at app start, updated by the Account page,
// read by the frame (practice badge) and later steps. Holds no secret, only what get_account returns.
import { getAccount, verifyAccount } from '../ipc/commands';
import { toBerthError } from '../ipc/errors';
import type { AccountOverview, AccountSettings, VerifiedIdentity } from '../ipc/types';
import { Requests } from '../kit/latest.svelte';
import type { Loaded } from './loaded';

let overview = $state<AccountOverview | null>(null);
let verified = $state<VerifiedIdentity | null>(null);
// Every write makes the reads under way stale, so a slow read cannot overwrite a newer answer.
const reads = new Requests();

export const account = {
  /** The last overview from the backend, or null before the first answer. */
  get overview(): AccountOverview | null {
    return overview;
  },
  /** Whether the saved settings point Berth at a local emulator instead of AWS. */
  get practice(): boolean {
    return overview?.settings.practice.enabled ?? false;
  },
  /** Who the saved settings signed in as, once verified; cleared when the settings change. */
  get verified(): VerifiedIdentity | null {
    return verified;
  },
  /**
   * What the Account step still has to settle before a page can ask AWS (null: nothing, or the
   * settings are not read yet). Berth's own practice signs in with its practice keys: there is
   * no identity to choose.
   */
  get missingSetting(): 'identity' | 'region' | null {
    const settings = overview?.settings;
    if (!settings) return null;
    if (settings.practice.enabled && settings.practice.managed) return null;
    if (!settings.source) return 'identity';
    if (!settings.region) return 'region';
    return null;
  },
};

/** Stores a newer answer of any account command. */
export function setOverview(next: AccountOverview): void {
  reads.drop();
  overview = next;
}

export function setVerified(next: VerifiedIdentity | null): void {
  verifiedSince += 1;
  verified = next;
}

// Counts setVerified calls: a quiet check answers for the settings it started with only while
// nobody verified (or changed the choice) since.
let verifiedSince = 0;
// Berth's own practice comes back with Berth after a restart and takes a few seconds to answer.
const PRACTICE_RETRY_MS = 1000;
const PRACTICE_RETRIES = 60;

/** What decides who Berth signs in as (a managed practice's ports change from run to run). */
function identityKey(s: AccountSettings): string {
  const managed = s.practice.enabled && s.practice.managed;
  return JSON.stringify([s.source, s.region, s.practice.enabled, managed, managed ? '' : s.practice.endpointUrl]);
}

/**
 * At start, signs in again quietly with the identity chosen before, so the rail and every page
 * know the Account step is done without visiting it. A failure stays quiet: the Account step
 * shows it when opened.
 */
export async function restoreSignIn(wait: (ms: number) => Promise<void> = sleep): Promise<void> {
  const settings = overview?.settings;
  if (!settings || verified) return;
  const managed = settings.practice.enabled && settings.practice.managed;
  if (!managed && settings.source === null) return;
  const key = identityKey(settings);
  const since = verifiedSince;
  const still = () => since === verifiedSince && overview !== null && identityKey(overview.settings) === key;
  for (let attempt = 0; ; attempt++) {
    try {
      const who = await verifyAccount();
      if (still()) setVerified(who);
      return;
    } catch {
      if (!managed || attempt >= PRACTICE_RETRIES || !still()) return;
      await wait(PRACTICE_RETRY_MS);
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Reads the account settings from the backend into the shared state. */
export async function loadAccount(): Promise<Loaded<AccountOverview>> {
  const read = reads.same();
  try {
    const value = await getAccount();
    if (read.current) setOverview(value);
    return { ok: true, value: overview ?? value };
  } catch (reason) {
    return { ok: false, error: toBerthError(reason) };
  }
}

/** Forgets everything (tests start from a clean state with it). */
export function resetAccount(): void {
  reads.drop();
  overview = null;
  verified = null;
  verifiedSince += 1;
}
