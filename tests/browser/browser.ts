/**
 * Browser-test support: Debian's Chromium driven by playwright-core, a console build that is fresh
 * for the sources, and small helpers to sign in and to serve a host page that embeds the widget.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

const root = path.resolve(import.meta.dirname, '../..');
const tmp = path.join(root, '.tmp');
fs.mkdirSync(tmp, { recursive: true });
// Chromium writes its profile and crash dumps under TMPDIR: keep them inside the project.
process.env.TMPDIR = tmp;

export const chromiumPath = process.env.KEFU_CHROMIUM ?? '/usr/bin/chromium';
/** A machine with only Node skips the browser tests; CI (which installs Chromium) never does. */
export const skipBrowser = !fs.existsSync(chromiumPath) && !process.env.CI;
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs, headless: true });
}

/** A fresh profile in zh-CN, the console's default audience, on a 1280 px laptop screen. */
export function newContext(browser: Browser, baseURL?: string): Promise<BrowserContext> {
  return browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 800 }, baseURL });
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function buildIsStale(): boolean {
  const outputs = [path.join(root, 'dist/console/index.html'), path.join(root, 'dist/widget/widget.js')];
  if (!outputs.every((file) => fs.existsSync(file))) return true;
  const built = Math.min(...outputs.map((file) => fs.statSync(file).mtimeMs));
  const sources = ['console/app', 'console/ui', 'console/i18n', 'console/widget', 'console/shared', 'console/admin'].map((dir) => path.join(root, dir));
  return Math.max(...sources.map(newestMtime), fs.statSync(path.join(root, 'vite.config.ts')).mtimeMs) > built;
}

/**
 * Runs `vite build` when dist/ is missing or older than the client sources. Test files run in
 * parallel workers, so a lock folder makes one of them build while the others wait.
 */
export async function ensureBuilt(): Promise<void> {
  const lock = path.join(tmp, 'vite-build.lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      fs.mkdirSync(lock);
      break;
    } catch {
      // A lock older than the build can take is left by a killed run.
      if (Date.now() - fs.statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 180_000) fs.rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error('timed out waiting for another vite build');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    if (buildIsStale()) execFileSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  } finally {
    fs.rmSync(lock, { recursive: true, force: true });
  }
}

/** Signs in through the login form and waits for the workbench. */
export async function signIn(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(baseUrl + '/');
  await page.locator('kf-login input[type=email], kf-login input[name=email]').first().fill(email);
  await page.locator('kf-login input[type=password]').fill(password);
  await page.locator('kf-login button[type=submit]').click();
  await page.locator('kf-conversation-list [role=tablist]').waitFor();
}

/** Serves one host page that embeds the widget for `channelId`, as a customer's site would. */
export async function serveHostPage(kefuUrl: string, channelId: string): Promise<{ url: string; close(): Promise<void> }> {
  const body = `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>示例商城</title></head>
<body><h1>示例商城</h1><script src="${kefuUrl}/widget.js" data-channel="${channelId}"></script></body></html>`;
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/shop`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A 4×4 blue PNG: small enough to inline, real enough for an <img>. */
export const PNG_BYTES = Buffer.from('89504e470d0a1a0a0000000d4948445200000004000000040802000000269309290000001049444154789c63102bff0f470cc47100754218c17b8b06df0000000049454e44ae426082', 'hex');

/**
 * Opens the first conversation the agent can serve: one already assigned to them in 我的客户, or
 * else the first in 排队客户, taken with 接入. Waits until the input is there.
 */
export async function takeConversation(page: Page, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const tab = (name: string) => page.locator('kf-conversation-list [role=tab]', { hasText: name });
  const firstRow = page.locator('kf-conversation-list li').first();
  while (Date.now() < deadline) {
    await tab('我的客户').click();
    if (await firstRow.isVisible().catch(() => false)) {
      await firstRow.click();
      await page.locator('kf-composer textarea').waitFor();
      return;
    }
    await tab('排队客户').click();
    if (await firstRow.waitFor({ timeout: 1000 }).then(() => true, () => false)) {
      await firstRow.click();
      const pick = page.locator('kf-message-pane button', { hasText: '接入' });
      if (await pick.waitFor({ timeout: 2000 }).then(() => true, () => false)) {
        await pick.click();
        if (await page.locator('kf-composer textarea').waitFor({ timeout: 3000 }).then(() => true, () => false)) return;
      }
    }
    await page.waitForTimeout(300);
  }
  throw new Error('no conversation to take');
}
