// Some desktops start apps with LANG=C, and WebKit then reports `navigator.language` as "C",
// which Intl rejects. Libraries that format with the system locale at load time (the chart
// library does) would throw before the app mounts; they get a valid tag instead.
function usable(tag: string | undefined): boolean {
  if (!tag) return false;
  try {
    new Intl.NumberFormat(tag);
    return true;
  } catch {
    return false;
  }
}

if (typeof navigator !== 'undefined' && !usable(navigator.language)) {
  Object.defineProperty(navigator, 'language', { value: 'en-US', configurable: true });
}
