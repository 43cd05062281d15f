// The rules of a typed key pair, checked in the form so every field's problem shows at once.
// The TypeScript twin of `key_problems` in src-tauri/core/src/wizard/account.rs (which checks
// again before anything is stored); both are tested against the same table, key-cases.json.

export type KeyField = 'name' | 'accessKeyId' | 'secretAccessKey' | 'sessionToken';

export interface TypedKeys {
  name: string;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string | null;
}

export const MAX_NAME_LEN = 64;

const WHITESPACE = /\p{White_Space}/u;
const NAME_CHAR = /^[\p{Alphabetic}\p{N} ._@-]$/u;
const KEY_ID = /^[A-Z0-9]{16,128}$/;

/** Each field that breaks a rule, with its first broken rule, in the form's order. */
export function keyProblems(keys: TypedKeys): [KeyField, string][] {
  const problems: [KeyField, string][] = [];
  const name = keys.name.trim();
  if (name === '') problems.push(['name', 'required']);
  else if ([...name].length > MAX_NAME_LEN) problems.push(['name', 'tooLong']);
  else if (![...name].every((c) => NAME_CHAR.test(c))) problems.push(['name', 'characters']);

  // Lower case is taken as upper case: AWS writes key ids in upper case.
  const keyId = keys.accessKeyId.trim().toUpperCase();
  if (keyId === '') problems.push(['accessKeyId', 'required']);
  else if (!KEY_ID.test(keyId)) problems.push(['accessKeyId', 'format']);

  const secret = keys.secretAccessKey.trim();
  if (secret === '') problems.push(['secretAccessKey', 'required']);
  else if (WHITESPACE.test(secret)) problems.push(['secretAccessKey', 'whitespace']);

  if (keys.sessionToken !== null && WHITESPACE.test(keys.sessionToken.trim())) {
    problems.push(['sessionToken', 'whitespace']);
  }
  return problems;
}
