import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { Client, createUser, startTestKefu, stopAndDrop, type TestKefu } from '../support/harness.ts';
import { ensureBuilt, launchBrowser, newContext, signIn, skipBrowser } from './browser.ts';

/**
 * The console across a server restart: the same data, the same port, the page never reloaded. What
 * arrived while the console was cut off shows up once the socket resumes, once each.
 */
describe.skipIf(skipBrowser)('agent workbench across a server restart', () => {
  let kefu: TestKefu;
  let browser: Browser;

  beforeAll(async () => {
    await ensureBuilt();
    kefu = await startTestKefu();
    const admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    await admin.patch('/api/me/status', { status: 'paused' });
    await createUser(kefu, { email: 'zhang@example.com', name: '张三', status: 'online' });
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    if (kefu) await stopAndDrop(kefu);
  }, 120_000);

  it('resumes after the server restarts and shows what was stored meanwhile, once each, without a reload', async () => {
    const url = kefu.url;
    const port = new URL(url).port;
    const visitor = new Client(url);
    const session = await visitor.post('/api/widget/session', { channelId: kefu.webChannelId, profile: { device: 'pc' } });
    visitor.token = session.body.visitorToken;
    const first = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: '重启前的消息' });
    expect(first.status).toBe(201);
    const conversationId: string = first.body.message.conversationId;
    await expect
      .poll(async () => (await kefu.app.conversations.requireConversation(conversationId)).assigneeId, { timeout: 20_000 })
      .not.toBeNull();

    const context = await newContext(browser);
    const page = await context.newPage();
    await signIn(page, url, 'zhang@example.com', 'agent-password');
    await page.locator(`kf-conversation-list li[data-id="${conversationId}"]`).click();
    const bubble = (text: string) => page.locator('kf-message-list kf-message-bubble', { hasText: text });
    await bubble('重启前的消息').waitFor();
    // A reload would lose this mark.
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));

    await kefu.stop();
    await page.locator('kf-header .conn').waitFor();
    kefu = await startTestKefu({ reuse: kefu.reuse, env: { PORT: port } });
    for (const text of ['重启期间一', '重启期间二']) {
      const sent = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text });
      expect(sent.status).toBe(201);
    }

    await page.locator('kf-header .conn').waitFor({ state: 'detached', timeout: 30_000 });
    await bubble('重启期间一').waitFor({ timeout: 20_000 });
    await bubble('重启期间二').waitFor();
    expect(await bubble('重启前的消息').count()).toBe(1);
    expect(await bubble('重启期间一').count()).toBe(1);
    expect(await bubble('重启期间二').count()).toBe(1);
    expect(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);

    // The console is live again: a new visitor message arrives over the resumed socket.
    await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: '重启之后' });
    await bubble('重启之后').waitFor();
    await context.close();
  }, 120_000);
});
