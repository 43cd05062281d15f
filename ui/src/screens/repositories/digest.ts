// How an image digest is shortened where a whole one would not fit.

/** `sha256:3f2a9c…d41e`: enough to tell images apart. */
export function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.includes(':') ? digest.split(':', 2) : ['', digest];
  if (hex.length <= 16) return digest;
  return `${algorithm ? `${algorithm}:` : ''}${hex.slice(0, 12)}…${hex.slice(-4)}`;
}
