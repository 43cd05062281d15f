// Bringing what the user just made or asked for into view. Screens do not know which element
// scrolls (the window's content pane, the document in a test): these helpers find it and set its
// scroll position themselves rather than rely on the engine's scrollIntoView, which in the real
// app left a just-created repository above the pane (issue 18, item 8).
import { tick } from 'svelte';

/** The nearest ancestor of `element` that scrolls vertically, or the document's scroller. */
export function scrollPane(element: Element): HTMLElement {
  for (let node = element.parentElement; node; node = node.parentElement) {
    const overflow = getComputedStyle(node).overflowY;
    if ((overflow === 'auto' || overflow === 'scroll') && node.scrollHeight > node.clientHeight) return node;
  }
  return (document.scrollingElement as HTMLElement | null) ?? document.documentElement;
}

function paneTop(pane: HTMLElement): number {
  return pane === document.scrollingElement || pane === document.documentElement ? 0 : pane.getBoundingClientRect().top;
}

type Target = HTMLElement | null | undefined;

/** Once the page has rendered and laid out what changed. */
async function settled(): Promise<void> {
  await tick();
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    requestAnimationFrame(done);
    // A window in the background may not paint: do not wait for it.
    setTimeout(done, 100);
  });
}

/**
 * Scrolls the pane holding `element` so that its top (less its scroll-margin-top) is at the top
 * of the pane, then focuses it without scrolling again (a screen reader then reads it). The
 * element needs tabindex="-1" to take the focus.
 */
export async function bringIntoView(
  target: Target | (() => Target),
  { focus = true }: { focus?: boolean } = {},
): Promise<void> {
  await settled();
  // A getter, for an element that only exists once the change has rendered.
  const element = typeof target === 'function' ? target() : target;
  if (!element?.isConnected) return;
  const pane = scrollPane(element);
  const margin = parseFloat(getComputedStyle(element).scrollMarginTop) || 0;
  const offset = element.getBoundingClientRect().top - paneTop(pane) - margin;
  pane.scrollTop = Math.max(0, pane.scrollTop + offset);
  if (focus) element.focus({ preventScroll: true });
}

/** Scrolls the pane holding `element` back to its top (a new phase of a page starts). */
export function scrollPaneToTop(element: Element | null | undefined): void {
  if (element?.isConnected) scrollPane(element).scrollTop = 0;
}
