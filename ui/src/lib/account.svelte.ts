// The account settings shared across screens: loaded at app start, updated by the Account page,
// read by the frame (practice badge) and later steps. Holds no secret, only what get_account returns.
import { getAccount } from '../ipc/commands';
import { toBerthError } from '../ipc/errors';
import type { AccountOverview, VerifiedIdentity } from '../ipc/types';
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
};

/** Stores a newer answer of any account command. */
export function setOverview(next: AccountOverview): void {
  reads.drop();
  overview = next;
}

export function setVerified(next: VerifiedIdentity | null): void {
  verified = next;
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
}
