// What the browser tests share: Debian's Chromium through playwright-core, a page per
// screen size whose screenshots are each checked with axe-core against WCAG 2.1 A and AA,
// and the desk's login.

import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export const base = process.env.DESK_URL;
const shots = process.env.SCREENSHOTS;
mkdirSync(shots, { recursive: true });

export const screens = [['laptop', { width: 1366, height: 900 }], ['tablet', { width: 820, height: 1180 }]];

export function check(ok, what) {
  if (!ok) {
    throw new Error('browser check failed: ' + what);
  }
  console.log('ok: ' + what);
}

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A page on a screen `name` of `viewport`. `shot(what)` saves a screenshot and checks the
// page with axe-core; `errors` collects script errors.
export async function open(browser, name, viewport) {
  // bypassCSP only lets the accessibility checker in; the pages' own policy is tested in Rust.
  const context = await browser.newContext({ viewport, acceptDownloads: true, locale: 'nl-NL', bypassCSP: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') { errors.push(m.text()); } });
  const shot = async (what) => {
    await page.screenshot({ path: join(shots, `${name}-${what}.png`), fullPage: true });
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(async () => await window.axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
    const problems = result.violations.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')}`);
    check(problems.length === 0, `${name}: ${what} passes WCAG 2.1 AA checks${problems.length ? ':\n  ' + problems.join('\n  ') : ''}`);
  };
  return { context, page, shot, errors };
}

// Logs in as DESK_USER on the login page; ends on the page the login was asked for.
export async function login(page) {
  await page.fill('#name', process.env.DESK_USER);
  await page.fill('#password', process.env.DESK_PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL((url) => !url.pathname.endsWith('/desk/login'));
}
