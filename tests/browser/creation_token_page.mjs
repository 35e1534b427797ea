// tests/browser/creation_token_page.mjs: the validation page of account
// creation request tokens (api-lifecycle.md 2.2) in a real browser
// (Debian's Chromium, driven by playwright-core).
//
//   node creation_token_page.mjs URL [OUTDIR]
//
// URL is {base}/creation_token/check/{token} of an unused request token.
// Opens it, checks the headers of the GET response and the form (posting to
// {base}/creation_token/validate, the token in a hidden input, one button,
// no script, nothing loaded from elsewhere), takes OUTDIR/creation-form.png,
// presses the button, checks the thanks page and takes
// OUTDIR/creation-page.png. The caller (tests/browser/run) checks the
// database and the exchange for a creation token afterwards.
//
// Exit status 0 when every check passed; otherwise prints why and exits 1.
import fs from 'node:fs';
import path from 'node:path';

import { CheckFailed, check, launchChromium, logger } from './browser.mjs';

const url = process.argv[2];
const outDir = path.resolve(process.argv[3] || process.env.BROWSER_ARTIFACTS_DIR || '.');
const THANKS = 'Thanks for the validation';
const CONTINUE = 'You can now continue your registration process in the application';
const TIMEOUT_MS = 15000;

if (!url) {
  console.error('usage: node creation_token_page.mjs URL [OUTDIR]');
  process.exit(2);
}

const log = logger('creation_token_page');
const target = new URL(url);
const token = decodeURIComponent(target.pathname.split('/').filter(Boolean).pop() || '');
const base = target.pathname.replace(/\/creation_token\/check\/[^/]*$/, '');
const validateUrl = `${target.origin}${base}/creation_token/validate`;
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
  const elsewhere = [];
  page.on('request', (r) => {
    if (new URL(r.url()).origin !== target.origin) elsewhere.push(r.url());
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') log(`browser console ${msg.type()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => log(`browser page error: ${err.message}`));

  // ---- GET: the page with its one button ---------------------------------
  const get = await page.goto(url, { waitUntil: 'load' });
  check(get, `no response for GET ${url}`);
  log(`GET ${url} -> ${get.status()}`);
  check(get.status() === 200, `GET answered ${get.status()}, expected 200`);

  const headers = await get.allHeaders();
  check(/^text\/html\s*;\s*charset=utf-8$/i.test(headers['content-type'] || ''),
    `GET Content-Type is "${headers['content-type']}", expected "text/html; charset=UTF-8"`);
  check(/(^|[\s,])no-store($|[\s,])/i.test(headers['cache-control'] || ''),
    `GET Cache-Control is "${headers['cache-control']}", expected no-store`);
  const csp = headers['content-security-policy'] || '';
  check(/(^|;)\s*default-src\s+'none'/i.test(csp), `Content-Security-Policy "${csp}" is not default-src 'none'`);
  check(/(^|;)\s*form-action\s+'self'/i.test(csp), `Content-Security-Policy "${csp}" lacks form-action 'self'`);
  check((headers['x-frame-options'] || '').toUpperCase() === 'DENY',
    `X-Frame-Options is "${headers['x-frame-options']}", expected DENY`);

  check((await page.locator('script, iframe, img, link[rel="stylesheet"]').count()) === 0,
    'the page has a script, frame, image or external stylesheet');
  const forms = page.locator('form');
  check((await forms.count()) === 1, `expected one <form>, found ${await forms.count()}`);
  const form = forms.first();
  const formInfo = await form.evaluate((f) => ({ method: f.method, action: f.action, enctype: f.enctype }));
  check(formInfo.method === 'post', `form method is "${formInfo.method}", expected post`);
  check(formInfo.action === validateUrl, `form action is ${formInfo.action}, expected ${validateUrl}`);
  check(formInfo.enctype === 'application/x-www-form-urlencoded', `form enctype is ${formInfo.enctype}`);
  const hidden = form.locator('input[name="account_creation_request_token"]');
  check((await hidden.count()) === 1, 'the form has no input named account_creation_request_token');
  check((await hidden.getAttribute('type')) === 'hidden', 'that input is not type="hidden"');
  check((await hidden.inputValue()) === token, 'the hidden input does not hold the token of the URL');
  check((await form.locator('input:not([type="hidden"]), textarea, select').count()) === 0,
    'the form asks for something (it must be one button)');
  const buttons = form.locator('button, input[type="submit"]');
  check((await buttons.count()) === 1, `expected one button, found ${await buttons.count()}`);
  const label = ((await buttons.first().textContent()) || (await buttons.first().getAttribute('value')) || '').trim();
  log(`button "${label}"`);
  check(label === "I'm not a robot", `the button says "${label}", expected "I'm not a robot"`);
  await page.screenshot({ path: path.join(outDir, 'creation-form.png'), fullPage: true });

  // ---- POST: press the button ------------------------------------------------
  const isPost = (r) => r.request().method() === 'POST' && r.url() === validateUrl;
  const [post] = await Promise.all([
    page.waitForResponse(isPost),
    page.waitForNavigation({ waitUntil: 'load' }),
    buttons.first().click(),
  ]);
  log(`POST ${validateUrl} -> ${post.status()}`);
  const body = post.request().postData() || '';
  check(body === `account_creation_request_token=${encodeURIComponent(token)}`,
    `the browser posted "${body}", expected only the token field`);
  const text = await page.locator('body').innerText();
  await page.screenshot({ path: path.join(outDir, 'creation-page.png'), fullPage: true });
  check(post.status() === 200, `POST answered ${post.status()}, expected 200; page text: ${text.slice(0, 300)}`);
  check(text.includes(THANKS) && text.includes(CONTINUE),
    `the page after POST does not thank and send back to the app; page text: ${text.slice(0, 300)}`);
  check(elsewhere.length === 0, `the pages loaded something from elsewhere: ${elsewhere.join(', ')}`);
  log('PASS');
} catch (err) {
  status = 1;
  console.error(`creation_token_page: FAIL: ${err instanceof CheckFailed ? err.message : err.stack || err}`);
  if (page) {
    await page.screenshot({ path: path.join(outDir, 'creation-failure.png'), fullPage: true })
      .then(() => console.error(`creation_token_page: screenshot of the failure: ${path.join(outDir, 'creation-failure.png')}`))
      .catch(() => {});
  }
} finally {
  if (browser) await browser.close().catch(() => {});
}
process.exit(status);
