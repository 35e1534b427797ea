// tests/browser/cross_site.mjs: cross-site request forgery through the
// x-api-key cookie (issue 13), in a real browser (Debian's Chromium, driven
// by playwright-core).
//
//   node cross_site.mjs BASE AUTH_TOKEN EVIL_PAGE
//
// BASE is {base} of the API (http://127.0.0.1:PORT/api); AUTH_TOKEN an auth
// token attached to an admin; EVIL_PAGE a page of another origin (another
// port of the same host: a same-site origin, to which the browser does send
// SameSite=Strict cookies, so the module's own check is what must refuse).
// The browser first gets the admin's cookie from the API itself
// (GET {base}/accounts/me/api_key/AUTH_TOKEN), checks it is usable on the
// API's own pages, then opens EVIL_PAGE, which posts a form creating an
// admin and fires a cross-origin fetch, both carrying the cookie. The
// caller (tests/browser/run) checks the database afterwards.
//
// Exit status 0 when every check passed; otherwise prints why and exits 1.
import { CheckFailed, check, launchChromium, logger } from './browser.mjs';

const [base, authToken, evilPage] = process.argv.slice(2);
const TIMEOUT_MS = 15000;

if (!base || !authToken || !evilPage) {
  console.error('usage: node cross_site.mjs BASE AUTH_TOKEN EVIL_PAGE');
  process.exit(2);
}

const log = logger('cross_site');

let browser;
let status = 0;
try {
  browser = await launchChromium();
  const context = await browser.newContext();
  context.setDefaultTimeout(TIMEOUT_MS);
  const page = await context.newPage();

  // ---- the cookie, from the API itself ----------------------------------
  const keyResponse = await page.goto(`${base}/accounts/me/api_key/${authToken}`);
  check(keyResponse.status() === 200, `the auth-token exchange answered ${keyResponse.status()}`);
  const setCookie = (await keyResponse.allHeaders())['set-cookie'] || '';
  check(/; SameSite=Strict$/.test(setCookie), `Set-Cookie is "${setCookie.replace(/=[A-Za-z0-9]{40}/, '=<key>')}"`);
  const cookies = await context.cookies(base);
  const cookie = cookies.find((c) => c.name === 'x-api-key');
  check(cookie && cookie.sameSite === 'Strict' && cookie.httpOnly, `the browser holds no Strict, HttpOnly x-api-key cookie: ${JSON.stringify(cookies.map((c) => ({ ...c, value: '<key>' })))}`);
  log('the browser holds the admin cookie (SameSite=Strict, HttpOnly)');

  const me = await page.goto(`${base}/accounts/me`);
  check(me.status() === 200, `GET /accounts/me with the cookie, same origin: ${me.status()}`);
  check(/"admin":true/.test(await me.text()), 'GET /accounts/me is not the admin');
  log('same origin: GET /accounts/me with the cookie answers 200');

  // ---- the attacker's page ------------------------------------------------
  const refused = [];
  page.on('response', async (r) => {
    if (r.url().startsWith(base)) refused.push(`${r.request().method()} ${new URL(r.url()).pathname} -> ${r.status()}`);
  });
  const formPost = page.waitForResponse((r) => r.request().method() === 'POST' && r.url() === `${base}/accounts`);
  await page.goto(evilPage);
  const post = await formPost;
  log(`the attacker's form: POST /accounts -> ${post.status()}, Sec-Fetch-Site ${(await post.request().allHeaders())['sec-fetch-site']}`);
  check((await post.request().allHeaders()).cookie?.includes('x-api-key='), 'the browser did not even send the cookie (then this test proves nothing)');
  check(post.status() === 403, `the cross-site form POST answered ${post.status()}, expected 403`);
  check((await post.text()).includes('Cross-site request refused'), `unexpected body: ${await post.text()}`);
  // The attacker page's fetch() reports its outcome in the page title.
  await page.waitForFunction(() => document.title.startsWith('done'), null, { timeout: TIMEOUT_MS }).catch(() => {});
  log(`responses seen: ${refused.join('; ')}`);
  log('PASS');
} catch (err) {
  status = 1;
  console.error(`cross_site: FAIL: ${err instanceof CheckFailed ? err.message : err.stack || err}`);
} finally {
  if (browser) await browser.close().catch(() => {});
}
process.exit(status);
