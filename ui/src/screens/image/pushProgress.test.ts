import { describe, expect, test } from 'vitest';
import type { LayerProgress } from '../../ipc/types';
import { addSample, mergeLayers, summarize, uploaded } from './pushProgress';

const layer = (id: string, state: LayerProgress['state'], done: number, total: number | null): LayerProgress => ({
  id,
  state,
  done,
  total,
});

describe('the whole push from layer events', () => {
  test('changed layers replace their earlier state and new ones are appended in order', () => {
    let layers = mergeLayers([], [layer('a', 'preparing', 0, null), layer('b', 'preparing', 0, null)]);
    layers = mergeLayers(layers, [layer('b', 'pushing', 5, 10), layer('c', 'waiting', 0, null)]);
    expect(layers.map((l) => `${l.id}:${l.state}`)).toEqual(['a:preparing', 'b:pushing', 'c:waiting']);
  });

  test('layers the registry has count for nothing; the total is known once no layer is waiting', () => {
    const waiting = [layer('a', 'pushing', 40, 100), layer('b', 'exists', 0, null), layer('c', 'waiting', 0, null)];
    expect(summarize(waiting, [])).toMatchObject({ done: 40, total: 100, totalKnown: false, layersDone: 1, layerCount: 3 });
    const known = [layer('a', 'pushed', 100, 100), layer('b', 'exists', 0, null), layer('c', 'pushing', 10, 50)];
    expect(summarize(known, [])).toMatchObject({ done: 110, total: 150, totalKnown: true, layersDone: 2 });
  });

  test('speed comes from the last seconds and the time left from it, once the total is known', () => {
    const layers = [layer('a', 'pushing', 30_000_000, 100_000_000)];
    let samples = addSample([], 0, 10_000_000);
    samples = addSample(samples, 2000, uploaded(layers));
    const summary = summarize(layers, samples);
    expect(summary.speed).toBe(10_000_000);
    expect(summary.secondsLeft).toBe(7);
    // Samples older than the window are dropped, so a stall shows as zero speed, not an old one.
    const later = addSample(samples, 9000, 30_000_000);
    expect(later).toHaveLength(1);
    expect(summarize(layers, later).speed).toBeNull();
    expect(summarize([...layers, layer('b', 'waiting', 0, null)], samples).secondsLeft).toBeNull();
  });
});
