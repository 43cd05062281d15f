// The newcomer's journey through the real app, counted: every click and keystroke goes through a
// `User` (mouse or keyboard-only), every step gets a screenshot and an accessibility check
// (axe-core, WCAG 2 A/AA), and the totals are written to artifacts/journey-summary*.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { byName, click as clickControl, saveScreenshot } from './app.mjs';

const axeSource = createRequire(import.meta.url)('axe-core').source;

export function artifactsDir() {
  const dir = process.env.BERTH_E2E_ARTIFACTS ?? fileURLToPath(new URL('../artifacts/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * Types `text` into the focused element. WebdriverIO's keys() presses a whole sequence down, then
 * lets it up, so a repeated character ("tt" in http) would count once: the text goes in runs
 * without a repeat.
 */
async function typeText(browser, text) {
  let run = [];
  for (const ch of text) {
    if (run.includes(ch)) {
      await browser.keys(run);
      run = [];
    }
    run.push(ch);
  }
  if (run.length) await browser.keys(run);
}

/** What the focused element is: its accessible name, tag, type, and where it is relative to `target`. */
function focusState(browser, target) {
  return browser.execute((t) => {
    // The accessible name, computed as byName does (the page's CSP forbids eval, so it is inline).
    const visibleText = (node) => {
      if (node.nodeType === Node.TEXT_NODE) return node.textContent;
      if (node.nodeType !== Node.ELEMENT_NODE || node.getAttribute('aria-hidden') === 'true') return '';
      return [...node.childNodes].map(visibleText).join('');
    };
    const text = (e) => (e ? visibleText(e) : '').replace(/\s+/g, ' ').trim();
    const name = (el) => {
      if (!el || el === document.body) return '';
      const label = el.getAttribute('aria-label');
      if (label) return label.trim();
      const ids = el.getAttribute('aria-labelledby');
      if (ids) return ids.split(/\s+/).map((id) => text(document.getElementById(id))).join(' ');
      if (el.labels && el.labels.length) return [...el.labels].map(text).join(' ');
      if (['BUTTON', 'A', 'SUMMARY'].includes(el.tagName)) return text(el);
      return '';
    };
    const active = document.activeElement;
    let relation = 'none';
    if (t && active === t) relation = 'same';
    else if (t && active) {
      relation = active.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING ? 'after' : 'before';
    }
    return {
      name: name(active),
      tag: active?.tagName ?? '',
      type: active?.getAttribute('type') ?? '',
      group: active?.getAttribute('name') ?? '',
      relation,
    };
  }, target);
}

/**
 * A user walking the journey, mouse or keyboard. Counts what they do; `step()` closes a step with
 * a screenshot and an accessibility check.
 */
export class User {
  constructor(browser, { mode, prefix }) {
    this.browser = browser;
    this.mode = mode;
    this.prefix = prefix;
    this.clicks = 0;
    this.keystrokes = 0;
    this.steps = [];
    this.violations = [];
    this.started = Date.now();
    this.stepStarted = Date.now();
    this.stepClicks = 0;
    this.stepKeys = 0;
    this.axeRuns = 0;
  }

  key(...keys) {
    this.keystrokes += 1;
    this.stepKeys += 1;
    return this.browser.keys(keys);
  }

  countClick() {
    this.clicks += 1;
    this.stepClicks += 1;
  }

  /** Activates the control named `name`: a click, or Tab to it and Enter/Space. */
  async press(name) {
    if (this.mode === 'mouse') {
      this.countClick();
      return clickControl(this.browser, name);
    }
    const control = await this.focus(name);
    const { tag, type } = await focusState(this.browser, null);
    if (tag === 'INPUT' && (type === 'checkbox' || type === 'radio')) await this.key(' ');
    else await this.key('Enter');
    return control;
  }

  /** Types `text` into the field named `name` (each character is one keystroke). */
  async type(name, text, { replace = false } = {}) {
    if (this.mode === 'mouse') {
      const field = await clickControl(this.browser, name);
      this.countClick();
      if (replace) await field.clearValue();
    } else {
      await this.focus(name);
      // Select what is there, so typing replaces it.
      if (replace) await this.key('Control', 'a');
    }
    this.keystrokes += text.length;
    this.stepKeys += text.length;
    await typeText(this.browser, text);
  }

  /** Picks the option with `value` in the select named `name`. */
  async choose(name, value) {
    const select = await byName(this.browser, name);
    if (this.mode === 'mouse') {
      await select.scrollIntoView({ block: 'center' });
      // Open the list, pick the option: two clicks.
      this.countClick();
      this.countClick();
      await select.selectByAttribute('value', value);
      return;
    }
    await this.focus(name);
    // A focused, closed select steps through its options with the arrow keys.
    const values = await this.browser.execute((el) => [...el.options].map((o) => o.value), select);
    const want = values.indexOf(value);
    if (want < 0) throw new Error(`"${name}" has no option ${value} (has ${values.join(', ')})`);
    for (let i = 0; i < values.length + 1; i++) {
      const now = values.indexOf(await select.getValue());
      if (now === want) return;
      await this.key(now < want ? 'ArrowDown' : 'ArrowUp');
    }
    throw new Error(`the arrow keys did not move "${name}" to ${value}`);
  }

  /**
   * Keyboard only: Tab (or Shift+Tab, whichever way the control lies) until the focused element is
   * the control named `name`. A radio button is reached through its group, then the arrow keys.
   * Fails, naming where focus got stuck, if the control cannot be reached.
   */
  async focus(name) {
    const target = await byName(this.browser, name);
    const trail = [];
    for (let i = 0; i < 120; i++) {
      const state = await focusState(this.browser, target);
      if (state.relation === 'same') return target;
      const targetInfo = await this.browser.execute(
        (el) => ({ type: el.getAttribute('type'), group: el.getAttribute('name') }),
        target,
      );
      if (targetInfo.type === 'radio' && state.type === 'radio' && state.group === targetInfo.group) {
        // In the group: the arrow keys move (and check) the radio.
        const order = await this.browser.execute(
          (el) => [...document.querySelectorAll(`input[type="radio"][name="${el.name}"]`)].filter((r) => !r.disabled).indexOf(el),
          target,
        );
        const at = await this.browser.execute(
          () => [...document.querySelectorAll(`input[type="radio"][name="${document.activeElement.name}"]`)].filter((r) => !r.disabled).indexOf(document.activeElement),
        );
        await this.key(order > at ? 'ArrowDown' : 'ArrowUp');
        continue;
      }
      trail.push(state.name || state.tag);
      if (state.relation === 'before') await this.key('Shift', 'Tab');
      else await this.key('Tab');
    }
    throw new Error(`"${name}" could not be reached with Tab; focus went through: ${trail.slice(-30).join(' → ')}`);
  }

  /** Ends a step: screenshot, accessibility check (light and dark), counts. */
  async step(label, { themes = ['light', 'dark'], show = null } = {}) {
    const index = String(this.steps.length + 1).padStart(2, '0');
    const shot = `${this.prefix}-${index}-${label}`;
    // A page that got shorter (a form replaced by its result) can leave the pane scrolled past
    // its end, which WebKitGTK under Xvfb paints blank: bring it back into range.
    await this.browser.execute(() => {
      document.scrollingElement.scrollTop = 0;
      const pane = document.querySelector('main');
      if (!pane) return;
      const max = Math.max(0, pane.scrollHeight - pane.clientHeight);
      pane.scrollTop = Math.min(pane.scrollTop, max) - 1;
      pane.scrollTop += 1;
    });
    if (show) {
      // The heading that names what this step is about, near the top (below the practice banner).
      await this.browser.execute((text) => {
        const pane = document.querySelector('main');
        const heading = [...document.querySelectorAll('h1, h2, h3, h4')].find((h) => h.textContent.trim() === text);
        if (!pane || !heading) return;
        pane.scrollTop += heading.getBoundingClientRect().top - pane.getBoundingClientRect().top - 56;
      }, show);
    }
    await saveScreenshot(this.browser, shot);
    for (const theme of themes) await this.checkAccessibility(`${label} (${theme})`, theme);
    this.steps.push({
      step: label,
      clicks: this.stepClicks,
      keystrokes: this.stepKeys,
      seconds: Math.round((Date.now() - this.stepStarted) / 100) / 10,
      screenshot: `${shot}.png`,
    });
    this.stepClicks = 0;
    this.stepKeys = 0;
    this.stepStarted = Date.now();
  }

  /** Runs axe-core's WCAG 2 A/AA rules on the page in `theme`; keeps serious and critical findings. */
  async checkAccessibility(where, theme) {
    const b = this.browser;
    const previous = await b.execute((t) => {
      const root = document.documentElement;
      const before = root.dataset.theme ?? null;
      if (t) root.dataset.theme = t;
      return before;
    }, theme);
    // Let the theme's colours settle (transitions) before contrast is measured.
    await b.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 250))));
    const hasAxe = await b.execute(() => typeof window.axe !== 'undefined');
    if (!hasAxe) await b.execute(axeSource);
    const result = await b.executeAsync((done) => {
      window.axe
        .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] })
        .then((r) =>
          done(
            r.violations.map((v) => ({
              id: v.id,
              impact: v.impact,
              help: v.help,
              nodes: v.nodes.map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n').slice(0, 2).join(' ')}`),
            })),
          ),
        )
        .catch((e) => done([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }]));
    });
    this.axeRuns += 1;
    await b.execute((before) => {
      const root = document.documentElement;
      if (before === null) delete root.dataset.theme;
      else root.dataset.theme = before;
    }, previous);
    for (const v of result) this.violations.push({ where, ...v });
  }

  /** The serious and critical findings, one line each, for the failure message. */
  seriousViolations() {
    return this.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  }

  summary(extra = {}) {
    const serious = this.seriousViolations();
    return {
      mode: this.mode,
      clicks: this.clicks,
      keystrokes: this.keystrokes,
      seconds: Math.round((Date.now() - this.started) / 100) / 10,
      steps: this.steps,
      accessibility: {
        checks: this.axeRuns,
        serious: serious.length,
        minor: this.violations.length - serious.length,
        findings: this.violations,
      },
      ...extra,
    };
  }

  writeSummary(file, extra) {
    const summary = this.summary(extra);
    writeFileSync(join(artifactsDir(), file), `${JSON.stringify(summary, null, 2)}\n`);
    return summary;
  }
}

/** Formats findings for a failure message. */
export function describeViolations(list) {
  return list.map((v) => `[${v.impact}] ${v.where}: ${v.id} — ${v.help}\n    ${v.nodes.join('\n    ')}`).join('\n');
}
