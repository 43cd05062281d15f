import { describe, expect, test } from 'vitest';
import table from './name-cases.json';
import { disallowedCharacters, nameProblem, suggestion } from './names';

// The same table the Rust validator is tested with (tests/core/ecr_names.rs): the name check the
// user sees while typing says exactly what the backend will say before calling AWS.
const cases = table.cases.map((c) => ({ ...c, name: c.name.repeat('repeat' in c ? (c.repeat as number) : 1) }));

describe('repository names', () => {
  test('the shared table has at least 30 names, valid and invalid', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
    expect(cases.filter((c) => c.rule === null).length).toBeGreaterThanOrEqual(10);
  });

  test.each(cases.map((c) => [JSON.stringify(c.name).slice(0, 40), c] as const))('%s', (_, c) => {
    expect(nameProblem(c.name)).toBe(c.rule);
    expect(suggestion(c.name)).toBe(c.suggestion);
    if (c.suggestion !== null) expect(nameProblem(c.suggestion)).toBeNull();
  });

  test('the offending characters are named once each, in order, at most five', () => {
    expect(disallowedCharacters('web@prod:1@x')).toEqual(['@', ':']);
    expect(disallowedCharacters('a!b#c$d%e&f*g')).toEqual(['!', '#', '$', '%', '&']);
    // Capitals and spaces have rules of their own.
    expect(disallowedCharacters('My App')).toEqual([]);
  });
});
