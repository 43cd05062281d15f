import { describe, expect, test } from 'vitest';
import { ALL_ERROR_KINDS } from '../../ipc/errors';
import en from './en.json';
import ko from './ko.json';
import { REGIONS } from '../../test/fixtures';
import { detectLanguage, interpolate, tParagraphs, tParts } from './index.svelte';

/** Every string in a catalog by its dotted key. */
function flatten(node: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (typeof node === 'object' && node !== null && !Array.isArray(node)) {
    for (const [k, v] of Object.entries(node)) {
      for (const [kk, vv] of flatten(v, prefix ? `${prefix}.${k}` : k)) out.set(kk, vv);
    }
  } else {
    out.set(prefix, node);
  }
  return out;
}

const enFlat = flatten(en);
const koFlat = flatten(ko);

function placeholders(s: string): string[] {
  return [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
}

describe('catalogs', () => {
  test('en and ko have exactly the same keys', () => {
    expect([...koFlat.keys()].sort()).toEqual([...enFlat.keys()].sort());
    expect(enFlat.size).toBeGreaterThan(50);
  });

  test('every value is a non-empty string', () => {
    for (const [lang, flat] of [['en', enFlat], ['ko', koFlat]] as const) {
      for (const [key, value] of flat) {
        expect(typeof value, `${lang}: ${key}`).toBe('string');
        expect((value as string).trim(), `${lang}: ${key}`).not.toBe('');
      }
    }
  });

  test('each key has the same {placeholders} in both languages', () => {
    for (const [key, value] of enFlat) {
      expect(placeholders(koFlat.get(key) as string), key).toEqual(placeholders(value as string));
    }
  });

  test('`code` spans are balanced and as many in both languages', () => {
    for (const [key, value] of enFlat) {
      const enTicks = (value as string).split('`').length - 1;
      const koTicks = ((koFlat.get(key) as string) ?? '').split('`').length - 1;
      expect(enTicks % 2, key).toBe(0);
      expect(koTicks, key).toBe(enTicks);
    }
  });

  test('Korean is actually Korean where English words are not expected', () => {
    for (const key of [
      'pages.account.title',
      'common.checkAgain',
      'language.label',
      'practice.badge',
      'account.verify.button',
      'account.keyForm.secretAccessKey',
      'errors.rootCredentials.fix',
    ]) {
      expect(koFlat.get(key), key).toMatch(/[\uAC00-\uD7A3]/);
    }
  });

  test.each(ALL_ERROR_KINDS)('error kind %s has a title and a fix in both catalogs', (kind) => {
    for (const flat of [enFlat, koFlat]) {
      expect(flat.get(`errors.${kind}.title`)).toMatch(/\S/);
      expect(flat.get(`errors.${kind}.fix`)).toMatch(/\S/);
    }
  });

  test('no error kinds other than the known ones (and the DOCKER_HOST variant) in the catalogs', () => {
    const kinds = new Set([...enFlat.keys()].filter((k) => k.startsWith('errors.')).map((k) => k.split('.')[1]));
    expect([...kinds].sort()).toEqual([...ALL_ERROR_KINDS].sort());
    expect(enFlat.get('errors.dockerNotRunning.fixEnv')).toContain('DOCKER_HOST');
    expect(koFlat.get('errors.dockerNotRunning.fixEnv')).toContain('DOCKER_HOST');
  });

  test.each(REGIONS)('region %s has a display name in both languages', (code) => {
    expect(enFlat.get(`regions.${code}`)).toMatch(/\S/);
    expect(koFlat.get(`regions.${code}`)).toMatch(/[\uAC00-\uD7A3]|UAE/);
  });

  test('every input rule the backend names has a message in both catalogs', () => {
    const rules = [
      'name.required',
      'name.tooLong',
      'name.characters',
      'accessKeyId.required',
      'accessKeyId.format',
      'secretAccessKey.required',
      'secretAccessKey.whitespace',
      'sessionToken.whitespace',
      'region.required',
      'region.format',
      'identity.required',
      'endpointUrl.format',
      'registry.format',
      'registry.scheme',
      'registry.port',
      'contextDir.noDockerfile',
    ];
    for (const rule of rules) {
      expect(enFlat.get(`validation.${rule}`), rule).toMatch(/\S/);
      expect(koFlat.get(`validation.${rule}`), rule).toMatch(/[\uAC00-\uD7A3]/);
    }
    expect(enFlat.get('validation.name.tooLong')).toContain('{max}');
  });
});

describe('i18n helpers', () => {
  test('interpolate fills named placeholders and leaves unknown ones visible', () => {
    expect(interpolate('at {host} ({hostSource})', { host: 'tcp://x:2375' })).toBe('at tcp://x:2375 ({hostSource})');
    expect(interpolate('{n} of {n}', { n: 3 })).toBe('3 of 3');
  });

  test('tParagraphs splits a message into paragraphs at line breaks', () => {
    const paragraphs = tParagraphs('errors.rootCredentials.fix', { account: '123456789012' });
    expect(paragraphs).toHaveLength(4);
    expect(paragraphs[0][0].text).toContain('root user of account 123456789012');
    expect(paragraphs[1][0].text).toContain('IAM → Users → Add user');
    expect(paragraphs[3][0].text).toContain('Sign in with your browser');
  });

  test('tParts marks backticked text as code and never lets a parameter add code', () => {
    expect(tParts('errors.dockerPermissionDenied.fix', { host: '`evil`' })).toEqual([
      { text: 'Your user may not open the Docker socket at `evil`. Run ', code: false },
      { text: 'sudo usermod -aG docker $USER', code: true },
      { text: ', then log out and back in, and check again.', code: false },
    ]);
  });

  test('detectLanguage prefers the saved choice, then a ko* system language, else English', () => {
    expect(detectLanguage('ko', 'en-US')).toBe('ko');
    expect(detectLanguage('en', 'ko-KR')).toBe('en');
    expect(detectLanguage(null, 'ko-KR')).toBe('ko');
    expect(detectLanguage(null, 'ko')).toBe('ko');
    expect(detectLanguage('fr', 'de-DE')).toBe('en');
    expect(detectLanguage(null, undefined)).toBe('en');
  });
});
