// Replies that arrive after a newer request was made are dropped here, and only here: a slow
// answer about the folder typed a second ago, the role looked up before, or the view left behind
// must not overwrite what the screen shows now.
import { toBerthError } from '../ipc/errors';
import type { BerthError } from '../ipc/types';
import type { Loaded } from '../lib/loaded';

export type { Loaded };

/** A request's place in line: whether its reply is still wanted. */
export interface Ticket {
  /** No newer request started and nothing was dropped since this ticket was given out. */
  readonly current: boolean;
  /**
   * For replies that may arrive out of order and each carry the whole state (saving a form):
   * true when no reply of a newer request was taken yet, and then this one is taken.
   */
  take(): boolean;
}

/** Gives out tickets in order; a newer request, or `drop`, makes the older ones stale. */
export class Requests {
  #newest = 0;
  #taken = 0;

  /** Starts a request: every ticket given out before stops being current. */
  next(): Ticket {
    return this.#ticket(++this.#newest);
  }

  /** A ticket for more work on the newest request (a next page, a poll): others stay current. */
  same(): Ticket {
    return this.#ticket(this.#newest);
  }

  /** Makes every ticket given out so far stale (the view changed, the page was left, a reset). */
  drop(): void {
    this.#newest++;
  }

  #ticket(mine: number): Ticket {
    const requests = this;
    return {
      get current() {
        return mine === requests.#newest;
      },
      take() {
        if (mine < requests.#taken) return false;
        requests.#taken = mine;
        return true;
      },
    };
  }
}

/** A reply, or null when it came too late: a newer request was made (or dropped) meanwhile. */
export type Reply<T> = Loaded<T> | null;

/**
 * One thing a screen reads from the backend: its value, its error and whether a read is under
 * way, all reactive. Only the newest read's reply is kept.
 */
export class Latest<T> {
  value = $state<T | null>(null);
  error = $state<BerthError | null>(null);
  loading = $state(false);
  readonly #requests = new Requests();

  constructor(initial: T | null = null) {
    this.value = initial;
  }

  /**
   * Reads with `call`. While it runs `loading` is true and `error` is null; its reply becomes
   * `value` or `error` unless a newer read started meanwhile. `clearOnError` (the default) forgets
   * the value when the read fails; `keepWhileLoading` (the default) shows the last value until the
   * reply comes.
   */
  async run(
    call: () => Promise<T>,
    { clearOnError = true, keepWhileLoading = true }: { clearOnError?: boolean; keepWhileLoading?: boolean } = {},
  ): Promise<Reply<T>> {
    const ticket = this.#requests.next();
    this.loading = true;
    this.error = null;
    if (!keepWhileLoading) this.value = null;
    try {
      const value = await call();
      if (!ticket.current) return null;
      this.value = value;
      return { ok: true, value };
    } catch (reason) {
      if (!ticket.current) return null;
      const error = toBerthError(reason);
      this.error = error;
      if (clearOnError) this.value = null;
      return { ok: false, error };
    } finally {
      if (ticket.current) this.loading = false;
    }
  }

  /** Shows a value known otherwise (the answer of a change); a read still under way is dropped. */
  set(value: T | null): void {
    this.#requests.drop();
    this.value = value;
    this.error = null;
    this.loading = false;
  }

  /** Drops the read under way (the screen is left or starts over); what is shown stays. */
  drop(): void {
    this.#requests.drop();
    this.loading = false;
  }

  /** Forgets everything: no value, no error, nothing under way. */
  reset(): void {
    this.set(null);
  }
}
