// tests/browser/recovery_page.mjs: account recovery by email
// (api-lifecycle.md 6.2 to 6.4) in a real browser (Debian's Chromium,
// driven by playwright-core).
//
//   node recovery_page.mjs BASE EMAIL MAILDIR NEW_PASSWORD [OUTDIR]
//
// BASE is http://host:port{base}; EMAIL an account's address; MAILDIR the
// directory the server's sendmail stand-in writes each message to. Opens
// {base}/recovery/email, checks the headers and the form, submits EMAIL,
// reads the code from the one new message in MAILDIR, submits a wrong code
// (the page says 2 attempts left), then the right one: the answer must be a
// 303 to <public URL>{base}/password/reset/<token> (the test server's own
// origin: the forms' CSP lets the browser follow a redirect to its own
// origin only), where the new password is set. Artifacts:
// recovery-email.png, recovery-confirm.png, recovery-done.png
// (recovery-failure.png when it failed). The caller (tests/browser/run)
// checks the database afterwards.
//
// Exit status 0 when every check passed; otherwise prints why and exits 1.
import fs from 'node:fs';
import path from 'node:path';

import { CheckFailed, check, launchChromium, logger } from './browser.mjs';

const [base, email, mailDir, newPassword] = process.argv.slice(2, 6);
const outDir = path.resolve(process.argv[6] || process.env.BROWSER_ARTIFACTS_DIR || '.');
const TIMEOUT_MS = 15000;

if (!base || !email || !mailDir || !newPassword) {
  console.error('usage: node recovery_page.mjs BASE EMAIL MAILDIR NEW_PASSWORD [OUTDIR]');
  process.exit(2);
}

const log = logger('recovery_page');
const origin = new URL(base).origin;
const basePath = new URL(base).pathname.replace(/\/$/, '');
fs.mkdirSync(outDir, { recursive: true });

const mails = () => (fs.existsSync(mailDir) ? fs.readdirSync(mailDir).filter((f) => f.endsWith('.eml')).sort() : []);

async function formOf(page, action) {
  const forms = page.locator('form');
  check((await forms.count()) === 1, `expected one <form>, found ${await forms.count()}`);
  const form = forms.first();
  const info = await form.evaluate((f) => ({ method: f.method, action: f.action, enctype: f.enctype }));
  check(info.method === 'post', `form method is "${info.method}", expected post`);
  check(info.action === `${origin}${basePath}${action}`, `form action is ${info.action}, expected ${basePath}${action}`);
  check(info.enctype === 'application/x-www-form-urlencoded', `form enctype is ${info.enctype}`);
  return form;
}

async function submit(page, form, isTarget) {
  const [res] = await Promise.all([
    page.waitForResponse(isTarget),
    page.waitForNavigation({ waitUntil: 'load' }),
    form.locator('button[type="submit"]').click(),
  ]);
  return res;
}

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
    if (new URL(r.url()).origin !== origin) elsewhere.push(r.url());
  });
  page.on('pageerror', (err) => log(`browser page error: ${err.message}`));

  // ---- 6.2: the email form ---------------------------------------------------
  const get = await page.goto(`${base}/recovery/email`, { waitUntil: 'load' });
  check(get && get.status() === 200, `GET /recovery/email answered ${get && get.status()}, expected 200`);
  const headers = await get.allHeaders();
  check(/^text\/html\s*;\s*charset=utf-8$/i.test(headers['content-type'] || ''),
    `Content-Type is "${headers['content-type']}"`);
  check(/no-store/i.test(headers['cache-control'] || ''), `Cache-Control is "${headers['cache-control']}"`);
  check(/default-src\s+'none'/i.test(headers['content-security-policy'] || ''), 'no restrictive CSP');
  check((headers['x-frame-options'] || '').toUpperCase() === 'DENY', 'X-Frame-Options is not DENY');
  check((await page.locator('script, iframe, img, link[rel="stylesheet"]').count()) === 0,
    'the page has a script, frame, image or external stylesheet');
  let form = await formOf(page, '/recovery');
  await form.locator('input[name="email"]').fill(email);
  check((await form.locator('input[name="username"]').count()) === 1, 'no username input');
  await page.screenshot({ path: path.join(outDir, 'recovery-email.png'), fullPage: true });
  const before = mails().length;
  let res = await submit(page, form, (r) => r.request().method() === 'POST' && r.url() === `${base}/recovery`);
  log(`POST /recovery -> ${res.status()}`);
  let text = await page.locator('body').innerText();
  check(res.status() === 200, `POST /recovery answered ${res.status()}; page: ${text.slice(0, 300)}`);
  check(text.includes('3 attempts left'), `the confirm page does not say 3 attempts left: ${text.slice(0, 300)}`);

  // ---- the code, from the mail ----------------------------------------------------
  const got = mails();
  check(got.length === before + 1, `expected one new mail, found ${got.length - before}`);
  const message = fs.readFileSync(path.join(mailDir, got[got.length - 1]), 'utf8');
  check(/^Subject: .*: Your account recovery code\r?$/m.test(message), 'the mail has not the recovery subject');
  const m = message.split(/\r?\n\r?\n/).slice(1).join('\n\n').match(/^([0-9]{4})\r?$/m);
  check(m, 'no code alone on a line in the mail');
  const code = m[1];
  const wrong = code === '9999' ? '1000' : String(Number(code) + 1);

  // ---- 6.4: a wrong value, then the right one --------------------------------------
  form = await formOf(page, '/recovery/confirm');
  check((await form.locator('input[name="recovery"][type="hidden"]').count()) === 1, 'no hidden recovery input');
  const isConfirm = (r) => r.request().method() === 'POST' && r.url() === `${base}/recovery/confirm`;
  await form.locator('input[name="code"]').fill(wrong);
  res = await submit(page, form, isConfirm);
  text = await page.locator('body').innerText();
  check(res.status() === 200 && text.includes('2 attempts left'),
    `a wrong code answered ${res.status()}: ${text.slice(0, 300)}`);
  form = await formOf(page, '/recovery/confirm');
  await form.locator('input[name="code"]').fill(code);
  await page.screenshot({ path: path.join(outDir, 'recovery-confirm.png'), fullPage: true });
  const [reset] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'GET' && /\/password\/reset\//.test(r.url())),
    page.waitForNavigation({ waitUntil: 'load' }),
    form.locator('button[type="submit"]').click(),
  ]);
  const from = reset.request().redirectedFrom();
  check(from && from.method() === 'POST' && from.url() === `${base}/recovery/confirm`,
    `the reset page was not reached by a redirect of the confirm form`);
  res = await from.response();
  log(`POST /recovery/confirm -> ${res.status()} ${res.headers().location}`);
  check(res.status() === 303, `the right code answered ${res.status()}, expected 303`);
  const target = new URL(reset.url());
  check(target.origin === origin && new RegExp(`^${basePath}/password/reset/[A-Za-z0-9]{16}$`).test(target.pathname),
    `redirected to ${reset.url()}, not a reset-password page of the server`);

  // ---- the reset-password page -------------------------------------------------
  check(reset.status() === 200, `the reset page answered ${reset.status()}`);
  await page.locator('input[name="password"]').fill(newPassword);
  await page.locator('input[name="password_confirmation"]').fill(newPassword);
  const [done] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && r.url() === `${origin}${target.pathname}`),
    page.waitForNavigation({ waitUntil: 'load' }),
    page.locator('button[type="submit"]').click(),
  ]);
  text = await page.locator('body').innerText();
  await page.screenshot({ path: path.join(outDir, 'recovery-done.png'), fullPage: true });
  check(done.status() === 200 && text.includes('Your password was updated properly.'),
    `the reset answered ${done.status()}: ${text.slice(0, 300)}`);
  check(elsewhere.length === 0, `the pages loaded something from elsewhere: ${elsewhere.join(', ')}`);
  log('PASS');
} catch (err) {
  status = 1;
  console.error(`recovery_page: FAIL: ${err instanceof CheckFailed ? err.message : err.stack || err}`);
  if (page) {
    await page.screenshot({ path: path.join(outDir, 'recovery-failure.png'), fullPage: true }).catch(() => {});
  }
} finally {
  if (browser) await browser.close().catch(() => {});
}
process.exit(status);
