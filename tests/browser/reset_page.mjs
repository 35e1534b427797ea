// tests/browser/reset_page.mjs: the reset-password page (api.md 6.5) in a
// real browser (Debian's Chromium, driven by playwright-core).
//
//   node reset_page.mjs URL [OUTDIR]
//
// URL is {base}/password/reset/{token} of a valid, unused token. Opens it,
// checks the form and the headers of the GET response, takes
// OUTDIR/reset-form.png, fills in the new password, submits, checks the
// confirmation page and takes OUTDIR/reset-page.png.
//
// Environment: NEW_PASSWORD (default new-password-42), BROWSER_ARTIFACTS_DIR
// (OUTDIR when not given as an argument; default: the current directory),
// CHROMIUM (default /usr/bin/chromium). NODE_PATH must reach playwright-core
// (tests/browser/run installs it into the build tree).
//
// Exit status 0 when every check passed; otherwise prints why and exits 1.
import fs from 'node:fs';
import path from 'node:path';

import { CheckFailed, check, launchChromium, logger } from './browser.mjs';

const url = process.argv[2];
const outDir = path.resolve(process.argv[3] || process.env.BROWSER_ARTIFACTS_DIR || '.');
const newPassword = process.env.NEW_PASSWORD || 'new-password-42';
const SUCCESS = 'Your password was updated properly.';
const TIMEOUT_MS = 15000;

if (!url) {
  console.error('usage: node reset_page.mjs URL [OUTDIR]');
  process.exit(2);
}

const log = logger('reset_page');

const token = decodeURIComponent(new URL(url).pathname.split('/').filter(Boolean).pop() || '');
fs.mkdirSync(outDir, { recursive: true });

let browser;
let page;
let status = 0;
try {
  browser = await launchChromium();
  log(`Chromium ${browser.version()} started`);
  const context = await browser.newContext();
  context.setDefaultTimeout(TIMEOUT_MS);
  page = await context.newPage();
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') log(`browser console ${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => log(`browser page error: ${err.message}`));

  // ---- GET: the form ------------------------------------------------------
  const get = await page.goto(url, { waitUntil: 'load' });
  check(get, `no response for GET ${url}`);
  log(`GET ${url} -> ${get.status()}`);
  check(get.status() === 200, `GET answered ${get.status()}, expected 200`);

  const headers = await get.allHeaders();
  check(/^text\/html\s*;\s*charset=utf-8$/i.test(headers['content-type'] || ''),
    `GET Content-Type is "${headers['content-type']}", expected "text/html; charset=UTF-8"`);
  const cacheControl = headers['cache-control'] || '';
  check(/(^|[\s,])no-store($|[\s,])/i.test(cacheControl),
    `GET Cache-Control is "${cacheControl}", expected it to contain no-store`);
  const csp = headers['content-security-policy'] || '';
  check(csp !== '', 'GET has no Content-Security-Policy header');
  check(/(^|;)\s*default-src\s/i.test(csp),
    `Content-Security-Policy "${csp}" has no default-src directive (not restrictive)`);
  check(!/(^|[\s;])(\*|https?:)(\s|;|$)/i.test(csp),
    `Content-Security-Policy "${csp}" allows any origin`);

  const title = (await page.title()).trim();
  const heading = (await page.locator('h1, h2').first().textContent({ timeout: 1000 }).catch(() => null) || '').trim();
  log(`title "${title}", heading "${heading}"`);
  check(title !== '' || heading !== '', 'the page has neither a <title> nor an h1/h2 heading');

  const forms = page.locator('form');
  check((await forms.count()) === 1, `expected one <form>, found ${await forms.count()}`);
  const form = forms.first();
  const formInfo = await form.evaluate((f) => ({ method: f.method, action: f.action }));
  check(formInfo.method === 'post', `form method is "${formInfo.method}", expected post`);
  check(formInfo.action === page.url(), `form action is ${formInfo.action}, expected the page URL ${page.url()}`);

  const password = form.locator('input[name="password"]');
  const confirmation = form.locator('input[name="password_confirmation"]');
  const hidden = form.locator('input[name="token"]');
  check((await password.count()) === 1, 'the form has no input named password');
  check((await confirmation.count()) === 1, 'the form has no input named password_confirmation');
  check((await password.getAttribute('type')) === 'password', 'input password is not type="password"');
  check((await confirmation.getAttribute('type')) === 'password', 'input password_confirmation is not type="password"');
  check((await hidden.count()) === 1, 'the form has no input named token');
  check((await hidden.getAttribute('type')) === 'hidden', 'input token is not type="hidden"');
  check((await hidden.inputValue()) === token, 'the hidden token input does not hold the token of the URL');
  const submit = form.locator('button:not([type]), button[type="submit"], input[type="submit"]').first();
  check((await submit.count()) === 1, 'the form has no submit button');

  await password.fill(newPassword);
  await confirmation.fill(newPassword);
  await page.screenshot({ path: path.join(outDir, 'reset-form.png'), fullPage: true });
  log(`form OK; screenshot ${path.join(outDir, 'reset-form.png')}`);

  // ---- POST: submit the form ----------------------------------------------
  const isPost = (r) => r.request().method() === 'POST' && r.url() === url;
  const [post] = await Promise.all([
    page.waitForResponse(isPost),
    page.waitForNavigation({ waitUntil: 'load' }),
    submit.click(),
  ]);
  log(`POST ${url} -> ${post.status()}`);
  const text = await page.locator('body').innerText();
  await page.screenshot({ path: path.join(outDir, 'reset-page.png'), fullPage: true });
  log(`screenshot ${path.join(outDir, 'reset-page.png')}`);
  check(post.status() === 200, `POST answered ${post.status()}, expected 200; page text: ${text.slice(0, 300)}`);
  check(text.includes(SUCCESS), `the page after POST does not say "${SUCCESS}"; page text: ${text.slice(0, 300)}`);
  log('PASS');
} catch (err) {
  status = 1;
  console.error(`reset_page: FAIL: ${err instanceof CheckFailed ? err.message : err.stack || err}`);
  if (page) {
    // Best effort, so a failure can be looked at.
    await page.screenshot({ path: path.join(outDir, 'reset-failure.png'), fullPage: true })
      .then(() => console.error(`reset_page: screenshot of the failure: ${path.join(outDir, 'reset-failure.png')}`))
      .catch(() => {});
  }
} finally {
  if (browser) await browser.close().catch(() => {});
}
process.exit(status);
