import { expect, test } from 'vitest';
import cases from './key-cases.json';
import { keyProblems } from './keyRules';

test.each(cases)('%j', (c) => {
  expect(keyProblems(c)).toEqual(c.problems);
});
