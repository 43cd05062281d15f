// A change the user asked for (scale, deploy, delete, restart…) and how its last try went. Each
// panel that changes something kept the same busy flag, error and try/catch/finally of its own.
import { toBerthError } from '../ipc/errors';
import type { BerthError } from '../ipc/types';

export class Attempt {
  /** A try is under way. */
  busy = $state(false);
  /** Why the last try failed (or what a check before it found); null once a new try starts. */
  error = $state<BerthError | null>(null);

  /**
   * Runs `work` unless a try is under way, with `busy` true meanwhile; a failure becomes `error`,
   * through `explain` where the screen words it its own way. Resolves to whether it worked.
   */
  async run(work: () => Promise<void>, explain: (error: BerthError) => BerthError = (error) => error): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    this.error = null;
    try {
      await work();
      return true;
    } catch (reason) {
      this.error = explain(toBerthError(reason));
      return false;
    } finally {
      this.busy = false;
    }
  }
}
