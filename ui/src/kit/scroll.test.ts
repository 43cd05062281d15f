import { afterEach, describe, expect, test } from 'vitest';
import { bringIntoView, scrollPane, scrollPaneToTop } from './scroll';

let host: HTMLElement | null = null;

/** A pane 200px tall holding 1000px of content, with a focusable result 600px down. */
function pane(): { pane: HTMLElement; result: HTMLElement } {
  host = document.createElement('div');
  host.innerHTML = `
    <main style="height: 200px; overflow-y: auto">
      <div style="height: 600px"></div>
      <section tabindex="-1" style="height: 100px; scroll-margin-top: 20px">result</section>
      <div style="height: 300px"></div>
    </main>`;
  document.body.append(host);
  return { pane: host.querySelector('main')!, result: host.querySelector('section')! };
}

afterEach(() => host?.remove());

describe('bringIntoView', () => {
  test('finds the pane that scrolls, puts the element at its top less scroll-margin, and focuses it', async () => {
    const { pane: main, result } = pane();
    expect(scrollPane(result)).toBe(main);
    await bringIntoView(result);
    expect(main.scrollTop).toBe(580);
    expect(result.getBoundingClientRect().top - main.getBoundingClientRect().top).toBe(20);
    expect(document.activeElement).toBe(result);
  });

  test('takes a getter for an element rendered later, and can leave the focus where it is', async () => {
    const { pane: main, result } = pane();
    main.scrollTop = 700;
    await bringIntoView(() => result, { focus: false });
    expect(main.scrollTop).toBe(580);
    expect(document.activeElement).not.toBe(result);
    await bringIntoView(() => undefined);
  });

  test('scrollPaneToTop scrolls the pane of an element back to its start', () => {
    const { pane: main, result } = pane();
    main.scrollTop = 400;
    scrollPaneToTop(result);
    expect(main.scrollTop).toBe(0);
  });
});
