import type { BerthError } from '../ipc/types';

/** The outcome of one backend call: its value, or the error it was rejected with. */
export type Loaded<T> = { ok: true; value: T } | { ok: false; error: BerthError };
