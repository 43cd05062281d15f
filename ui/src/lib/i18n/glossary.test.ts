import { describe, expect, test } from 'vitest';
import en from './en.json';
import glossary from './glossary.json';
import ko from './ko.json';

type Term = { en: string; ko: string; meaning: string; match: string; scope?: string[]; notKo?: string[] };
type Glossary = { terms: Term[]; avoid: { ko: string; why: string }[] };
type Flat = Map<string, string>;

/** Every message of a catalog by its dotted key (plural forms too: `…actionsToggle.one`). */
function flatten(node: unknown, prefix = '', out: Flat = new Map()): Flat {
  if (typeof node === 'string') out.set(prefix, node);
  else if (typeof node === 'object' && node !== null) {
    for (const [k, v] of Object.entries(node)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

/** The words of an English message: without `code`, {placeholders}, paths, commands and host names. */
function prose(text: string): string {
  return text
    .replace(/`[^`]*`/g, ' ')
    .replace(/\{\w+\}/g, ' ')
    .replace(/\S*(?:\.[a-z]|[:/~])\S*/gi, ' ');
}

/** Each way the Korean catalog strays from the glossary, as "key: what is wrong". */
function glossaryProblems(enFlat: Flat, koFlat: Flat, { terms, avoid }: Glossary): string[] {
  const problems: string[] = [];
  for (const term of terms) {
    const pattern = new RegExp(term.match, 'i');
    for (const [key, english] of enFlat) {
      if (term.scope && !term.scope.some((prefix) => key.startsWith(prefix))) continue;
      if (!pattern.test(prose(english))) continue;
      const korean = koFlat.get(key) ?? '';
      if (!korean.includes(term.ko)) problems.push(`${key}: “${term.en}” is not ${term.ko} in “${korean}”`);
      for (const other of term.notKo ?? []) {
        if (korean.includes(other)) problems.push(`${key}: “${term.en}” is ${other}, not ${term.ko}, in “${korean}”`);
      }
    }
  }
  for (const { ko: word } of avoid) {
    for (const [key, korean] of koFlat) {
      if (korean.includes(word)) problems.push(`${key}: uses ${word}, which the glossary avoids, in “${korean}”`);
    }
  }
  return problems;
}

// A particle that changes with the last syllable of the word before it (이/가, 을/를, 은/는, 와/과,
// 으로/로, 이라는/라는…) cannot follow a name Berth fills in: Berth does not know how "hello-web"
// ends when read aloud. Neither may a message hedge with "이(가)". Particles that never change
// (의, 에, 에서, 도, 만, 마다…) are fine.
const PARTICLE_AFTER_NAME =
  /\}[”’"']?(?:이|가|을|를|은|는|와|과|으로|로|이나|나|이라는|라는|이라고|라고|이랑|랑)(?![\uAC00-\uD7A3])/;
const HEDGED_PARTICLE = /\((?:이|가|을|를|은|는|와|과|으|이라)\)/;

function particleProblems(koFlat: Flat): string[] {
  return [...koFlat]
    .filter(([, korean]) => PARTICLE_AFTER_NAME.test(korean) || HEDGED_PARTICLE.test(korean))
    .map(([key, korean]) => `${key}: “${korean}”`);
}

const enFlat = flatten(en);
const koFlat = flatten(ko);
const terms = glossary as Glossary;

describe('glossary', () => {
  test('names each term once, with its Korean word and what it means', () => {
    expect(terms.terms.length).toBeGreaterThanOrEqual(8);
    for (const required of ['task', 'service', 'cluster', 'action', 'role', 'repository', 'image', 'tag']) {
      expect(terms.terms.some((t) => t.en === required), required).toBe(true);
    }
    for (const term of terms.terms) {
      expect(term.ko, term.en).toMatch(/[\uAC00-\uD7A3]/);
      expect(term.meaning, term.en).toMatch(/\S/);
      expect(() => new RegExp(term.match), term.en).not.toThrow();
    }
    expect(terms.terms.find((t) => t.en === 'task')?.ko).toBe('태스크');
    expect(terms.terms.find((t) => t.en === 'action')?.ko).not.toBe('작업');
  });

  test('every Korean message says each term the glossary’s way, and never another way', () => {
    expect(glossaryProblems(enFlat, koFlat, terms)).toEqual([]);
  });

  test('the check fails when a term is translated two ways', () => {
    const english: Flat = new Map([
      ['a', 'Stop task {id}'],
      ['b', 'The task stopped.'],
      ['c', 'Allowed actions'],
    ]);
    const korean: Flat = new Map([
      ['a', '태스크 {id} 중지'],
      ['b', '작업이 중지되었습니다.'],
      ['c', '허용된 액션'],
    ]);
    const problems = glossaryProblems(english, korean, {
      terms: [{ en: 'task', ko: '태스크', meaning: 'ECS task', match: '\\btasks?\\b', notKo: ['작업'] }],
      avoid: [],
    });
    expect(problems).toHaveLength(2);
    expect(problems.join('\n')).toContain('b: “task” is not 태스크');
    expect(problems.join('\n')).toContain('b: “task” is 작업, not 태스크');
  });

  test('commands, paths and host names are not words of the text', () => {
    expect(prose('ecs-tasks.amazonaws.com may not assume it')).not.toMatch(/tasks/);
    expect(prose('found in ~/.aws/credentials')).not.toMatch(/credentials/);
    expect(prose('Run `aws ecs run-task` for the task.')).toMatch(/^\s*Run\s+for the task\.$/);
  });
});

describe('Korean particles', () => {
  test('no particle that depends on the last syllable follows a name Berth fills in, and none is hedged', () => {
    expect(particleProblems(koFlat)).toEqual([]);
  });

  test('the check finds “{name}”이(가), {name}을(를) and {port}을', () => {
    const problems = particleProblems(
      new Map([
        ['a', '“{name}”이(가) 중지되었습니다'],
        ['b', '{name}을 삭제했습니다'],
        ['c', '포트 {port}을 쓰고 있습니다'],
        ['d', '“{name}” 리포지토리를 삭제했습니다'],
        ['e', '{region}에서 태스크 {count}개를 실행합니다'],
      ]),
    );
    expect(problems.map((p) => p.split(':')[0])).toEqual(['a', 'b', 'c']);
  });
});
