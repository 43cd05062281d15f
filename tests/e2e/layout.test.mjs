// Every page of the real app, in Korean and in English, at the smallest window size Berth allows
// (900 x 600): no text spills out of its box, nothing makes the page scroll sideways, no catalog
// key shows instead of a string, and in Korean no English sentence is left untranslated (AWS's
// own words, marked lang="en", excepted).
// It runs in an account of its own, seeded here with what makes pages long and wordy (a service
// with a long name and its events, one whose deployment failed), so it does not depend on what
// earlier test files left in the shared practice account.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { byName, openApp, requireEnv, saveScreenshot } from './support/app.mjs';
import { isolatedAccount, launchedService } from './support/moto.mjs';
import { configDir, practiceHomeFor } from './support/practice.mjs';

const catalog = (lang) => JSON.parse(readFileSync(new URL(`../../ui/src/lib/i18n/${lang}.json`, import.meta.url), 'utf8'));
const PAGES = ['environment', 'account', 'iam', 'repository', 'image', 'launch', 'repositories', 'deployments', 'activity', 'settings'];

/** Every string of a catalog by its dotted key. */
function flatten(node, prefix = '', out = new Map()) {
  for (const [k, v] of Object.entries(node)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else flatten(v, key, out);
  }
  return out;
}

/** Runs in the page: what is wrong with the layout and the text of what is shown now. */
function inspectPage(keys, korean) {
  const problems = [];
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && style.visibility !== 'hidden' && !el.closest('[hidden], details:not([open]) > :not(summary)');
  };
  const describe = (el) => `<${el.tagName.toLowerCase()}> "${(el.innerText || el.value || '').trim().slice(0, 80)}"`;

  // The window must never scroll sideways; the main area scrolls only down.
  for (const box of [document.documentElement, document.body, document.querySelector('main')]) {
    if (box && box.scrollWidth > box.clientWidth + 1) {
      // Name the element that makes it scroll: the innermost one whose hiding ends the overflow.
      const overflows = () => box.scrollWidth > box.clientWidth + 1;
      let culprit = box;
      for (let found = true; found; ) {
        found = false;
        for (const child of culprit.children) {
          const before = child.style.display;
          child.style.display = 'none';
          const fixed = !overflows();
          child.style.display = before;
          if (fixed) {
            culprit = child;
            found = true;
            break;
          }
        }
      }
      const r = culprit.getBoundingClientRect();
      const chain = [];
      for (let up = culprit.parentElement; up && up !== box; up = up.parentElement) {
        const u = up.getBoundingClientRect();
        chain.push(`${up.tagName.toLowerCase()}.${[...up.classList].join('.')} ${Math.round(u.left)}–${Math.round(u.right)}/${up.scrollWidth}`);
      }
      const where = `${describe(culprit)} .${[...culprit.classList].join('.')} (${Math.round(r.left)}–${Math.round(r.right)}) in ${chain.join(' < ')}`;
      problems.push(`${box.tagName.toLowerCase()} scrolls sideways (${box.scrollWidth} > ${box.clientWidth}) because of ${where}`);
    }
  }
  // Text that spills out of its own box (a label wider than its button, a heading past its card).
  const boxes = document.querySelectorAll('button, label, legend, summary, h1, h2, h3, h4, dt, dd, th, td, p, li, a, .badge');
  for (const el of boxes) {
    if (!visible(el)) continue;
    const style = getComputedStyle(el);
    if (style.textOverflow === 'ellipsis' || ['auto', 'scroll'].includes(style.overflowX)) continue;
    if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 1) {
      problems.push(`text spills out of ${describe(el)} (${el.scrollWidth} > ${el.clientWidth})`);
    }
  }
  // Text nodes the user reads.
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.trim();
    const parent = node.parentElement;
    if (!text || !parent || !visible(parent)) continue;
    if (parent.closest('code, pre, kbd, samp, script, style, [translate="no"]')) continue;
    // Words marked as another language than the page's (AWS's own English messages) are not ours to translate.
    const lang = parent.closest('[lang]')?.getAttribute('lang') ?? '';
    if (lang && lang !== document.documentElement.lang) continue;
    if (keys.includes(text)) problems.push(`a catalog key is shown instead of its text: "${text}"`);
    // Three English words in a row in Korean mode: a sentence the catalogs do not translate.
    if (korean && /\b[A-Za-z]{3,} [a-z]{2,} [a-z]{3,}\b/.test(text)) {
      problems.push(`English left in Korean mode: "${text.slice(0, 100)}" in ${describe(parent)}`);
    }
  }
  return problems;
}

let account;
before(async () => {
  requireEnv('BERTH_TEST_MOTO_URL');
  account = await isolatedAccount();
  // Long unbreakable names run through events, image URIs, ARNs and task definitions.
  const long = `layout-checkout-service-with-a-long-name-${account.account}`;
  await launchedService(account, { cluster: 'layout-web', service: long, tasks: 1, logLines: ['Listening on :80'] });
  await launchedService(account, { cluster: 'layout-web', service: 'layout-crash', crash: true, logLines: ['boom'] });
});

for (const lang of ['ko', 'en']) {
  test(`every page holds its layout in ${lang === 'ko' ? 'Korean' : 'English'} at the smallest window size`, async () => {
    const home = practiceHomeFor(account);
    const settingsPath = join(configDir(home), 'settings.json');
    const settings = JSON.parse(readFileSync(settingsPath, 'utf8'));
    settings.preferences = { language: lang };
    writeFileSync(settingsPath, JSON.stringify(settings, null, 2));

    const strings = flatten(catalog(lang));
    const keys = [...strings.keys()];
    const browser = await openApp({ home, env: { DOCKER_HOST: requireEnv('DOCKER_HOST') } });
    try {
      await browser.setWindowSize(900, 600);
      const found = [];
      for (const page of PAGES) {
        const title = strings.get(`pages.${page}.title`);
        const nav = await byName(browser, title);
        await nav.click();
        // The page's own heading, then a moment for what it loads (moto answers within ~1 s).
        await browser.waitUntil(
          () => browser.execute((t) => document.querySelector('main h1')?.textContent?.trim() === t, title),
          { timeout: 15000, timeoutMsg: `page ${page} did not open` },
        );
        await browser.pause(1500);
        for (const problem of await browser.execute(inspectPage, keys, lang === 'ko')) found.push(`${page}: ${problem}`);
        await saveScreenshot(browser, `layout-${lang}-${page}`);
      }
      assert.deepEqual(found, [], `layout problems:\n${found.join('\n')}`);
    } finally {
      await browser.deleteSession().catch(() => {});
    }
  });
}
