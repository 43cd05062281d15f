// The whole push from per-layer events: bytes done and to do, speed, time left.
import type { LayerProgress, LayerState } from '../../ipc/types';

export type Sample = { at: number; done: number };

export type PushSummary = {
  /** Bytes uploaded so far (layers the registry already had count for nothing). */
  done: number;
  /** Bytes to upload, as far as known. */
  total: number;
  /** Whether every layer's size is known (layers still waiting have none yet). */
  totalKnown: boolean;
  layersDone: number;
  layerCount: number;
  /** Bytes per second over the last few seconds, once measurable. */
  speed: number | null;
  /** Seconds left, once the total and the speed are known. */
  secondsLeft: number | null;
};

/** How far back the speed looks. */
export const SPEED_WINDOW_MS = 3000;

const FINISHED: LayerState[] = ['pushed', 'exists'];

/** The layer list with `changed` applied (new layers are added in the order they appear). */
export function mergeLayers(layers: LayerProgress[], changed: LayerProgress[]): LayerProgress[] {
  const next = [...layers];
  for (const layer of changed) {
    const i = next.findIndex((l) => l.id === layer.id);
    if (i === -1) next.push(layer);
    else next[i] = layer;
  }
  return next;
}

/** Bytes uploaded across layers. */
export function uploaded(layers: LayerProgress[]): number {
  return layers.filter((l) => l.state !== 'exists').reduce((sum, l) => sum + l.done, 0);
}

/** Adds a sample of bytes uploaded at `at` (ms), keeping only the speed window. */
export function addSample(samples: Sample[], at: number, done: number): Sample[] {
  return [...samples, { at, done }].filter((s) => at - s.at <= SPEED_WINDOW_MS);
}

export function summarize(layers: LayerProgress[], samples: Sample[]): PushSummary {
  const uploading = layers.filter((l) => l.state !== 'exists');
  const done = uploaded(layers);
  const total = uploading.reduce((sum, l) => sum + (l.total ?? l.done), 0);
  const totalKnown = layers.length > 0 && uploading.every((l) => l.total !== null);
  let speed: number | null = null;
  if (samples.length >= 2) {
    const first = samples[0];
    const last = samples[samples.length - 1];
    const seconds = (last.at - first.at) / 1000;
    if (seconds >= 0.5) speed = Math.max(0, (last.done - first.done) / seconds);
  }
  const remaining = Math.max(0, total - done);
  const secondsLeft = totalKnown && speed !== null && speed > 0 ? remaining / speed : null;
  return {
    done,
    total,
    totalKnown,
    layersDone: layers.filter((l) => FINISHED.includes(l.state)).length,
    layerCount: layers.length,
    speed,
    secondsLeft,
  };
}
