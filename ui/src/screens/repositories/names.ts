// ECR repository names, checked as the user types. This is the TypeScript twin of
// src-tauri/core/src/ecr_names.rs (which checks again before any AWS call); both are tested
// against the same table, name-cases.json, so they say the same thing about every name.

export const MIN_LEN = 2;
export const MAX_LEN = 256;

export type NameRule =
  | 'required'
  | 'uppercase'
  | 'whitespace'
  | 'characters'
  | 'edgeSeparator'
  | 'doubleSeparator'
  | 'tooShort'
  | 'tooLong';

// ASCII whitespace, as the Rust twin defines it; other spaces count as disallowed characters.
const WHITESPACE = new Set([' ', '\t', '\n', '\r', '\v', '\f']);

const isSeparator = (c: string) => c === '.' || c === '_' || c === '-';
const isAllowed = (c: string) => /^[a-z0-9._/-]$/.test(c);
const isUpper = (c: string) => /^[A-Z]$/.test(c);

/** The first rule `name` breaks, or null when ECR accepts it. */
export function nameProblem(name: string): NameRule | null {
  const chars = [...name];
  if (chars.length === 0) return 'required';
  if (chars.some(isUpper)) return 'uppercase';
  if (chars.some((c) => WHITESPACE.has(c))) return 'whitespace';
  if (!chars.every(isAllowed)) return 'characters';
  const edge = (c: string | undefined) => c !== undefined && (isSeparator(c) || c === '/');
  const parts = name.split('/');
  if (
    edge(chars[0]) ||
    edge(chars[chars.length - 1]) ||
    parts.some((p) => p.length > 0 && (isSeparator(p[0]) || isSeparator(p[p.length - 1])))
  ) {
    return 'edgeSeparator';
  }
  const doubled = (p: string) => p === '' || [...p].some((c, i) => i > 0 && isSeparator(c) && isSeparator(p[i - 1]));
  if (parts.some(doubled)) return 'doubleSeparator';
  if (chars.length < MIN_LEN) return 'tooShort';
  if (chars.length > MAX_LEN) return 'tooLong';
  return null;
}

/** The distinct characters ECR does not allow in `name`, in order of appearance (at most five). */
export function disallowedCharacters(name: string): string[] {
  const found: string[] = [];
  for (const c of name) {
    if (!isAllowed(c) && !isUpper(c) && !WHITESPACE.has(c) && !found.includes(c)) {
      found.push(c);
      if (found.length === 5) break;
    }
  }
  return found;
}

function trimWhitespace(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && WHITESPACE.has(s[start])) start++;
  while (end > start && WHITESPACE.has(s[end - 1])) end--;
  return s.slice(start, end);
}

function trimSeparators(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && isSeparator(s[start])) start++;
  while (end > start && isSeparator(s[end - 1])) end--;
  return s.slice(start, end);
}

/**
 * A valid name close to `name` when the fix is obvious (lower case; spaces and other ASCII
 * punctuation become `-`; one separator where there were several; none at the ends of a part),
 * or null.
 */
export function suggestion(name: string): string | null {
  if (nameProblem(name) === null || !/^[\x00-\x7f]*$/.test(name)) return null;
  const mapped = [...trimWhitespace(name).toLowerCase()].map((c) => (isAllowed(c) ? c : '-')).join('');
  const parts = mapped
    .split('/')
    .map((part) => {
      let out = '';
      for (const c of part) {
        if (!(isSeparator(c) && out.length > 0 && isSeparator(out[out.length - 1]))) out += c;
      }
      return trimSeparators(out);
    })
    .filter((part) => part !== '');
  const fixed = parts.join('/');
  return fixed !== name && nameProblem(fixed) === null ? fixed : null;
}
