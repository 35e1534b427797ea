// tests/browser/browser.mjs: what the browser tests share: Debian's
// Chromium started headless by playwright-core, the way this machine and CI
// allow, and the check/log helpers.
import { createRequire } from 'node:module';

// ES modules ignore NODE_PATH; require() honours it.
const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

export class CheckFailed extends Error {}

export function check(cond, message) {
  if (!cond) throw new CheckFailed(message);
}

export function logger(name) {
  return (message) => console.log(`${name}: ${message}`);
}

// launch() starts Chromium on a new, empty temporary user data dir of its
// own and deletes it on close(). Without the background-networking flags
// Chromium keeps trying to reach Google's hosts, which a closed network
// refuses; --no-sandbox because this also runs as root (CI, containers).
export function launchChromium() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    timeout: 60000,
  });
}
