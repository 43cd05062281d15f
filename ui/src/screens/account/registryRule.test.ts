import { expect, test } from 'vitest';
import cases from './registry-cases.json';
import { registryRule } from './registryRule';

test.each(cases)('%j', (c) => {
  expect(registryRule(c.value)).toEqual(c.rule);
});
