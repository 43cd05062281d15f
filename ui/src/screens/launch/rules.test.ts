import { describe, expect, test } from 'vitest';
import { appError, appSuggestion } from './rules';

describe('app names', () => {
  test('a name the rules accept gets no suggestion', () => {
    expect(appError('hello-web')).toBeNull();
    expect(appSuggestion('hello-web')).toBeNull();
  });

  test.each([
    ['My App', 'my-app'],
    ['  Hello_World!! ', 'hello-world'],
    ['-web-', 'web'],
    ['a'.repeat(31) + '-b', 'a'.repeat(31)],
  ])('%j becomes %j', (typed, fixed) => {
    expect(appError(typed)).not.toBeNull();
    expect(appSuggestion(typed)).toBe(fixed);
    expect(appError(fixed)).toBeNull();
  });

  test('no suggestion when nothing valid is left', () => {
    expect(appSuggestion('')).toBeNull();
    expect(appSuggestion('!!!')).toBeNull();
    expect(appSuggestion('앱')).toBeNull();
  });
});
