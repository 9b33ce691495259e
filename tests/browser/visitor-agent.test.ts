import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { Client, createUser, startTestKefu, stopAndDrop, type TestKefu } from '../support/harness.ts';
import { ensureBuilt, launchBrowser, newContext, PNG_BYTES, serveHostPage, signIn, takeConversation, skipBrowser } from './browser.ts';

describe.skipIf(skipBrowser)('visitor and agent in real browsers', () => {
  let kefu: TestKefu;
  let browser: Browser;
  let host: Awaited<ReturnType<typeof serveHostPage>>;

  beforeAll(async () => {
    await ensureBuilt();
    kefu = await startTestKefu();
    const admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    await admin.patch('/api/me/status', { status: 'paused' });
    await createUser(kefu, { email: 'li@example.com', name: '李客服', status: 'online' });
    host = await serveHostPage(kefu.url, kefu.webChannelId);
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await host?.close();
    if (kefu) await stopAndDrop(kefu);
  }, 120_000);

  const widgetInput = (page: Page) => page.locator('kf-chat textarea');
  const timeline = (page: Page) => page.locator('kf-message-list');
  /** Playwright's text matching pierces shadow roots (innerText does not). */
  const bubble = (page: Page, text: string) => page.locator('kf-message-list kf-message-bubble', { hasText: text });
  const widgetSays = (page: Page, text: string) => page.locator('kf-chat', { hasText: text });

  it('exchanges text and images live through the widget and the console, and keeps the history on reload', async () => {
    const visitorContext = await newContext(browser);
    const visitor = await visitorContext.newPage();
    await visitor.goto(host.url);
    await visitor.locator('kf-widget button.launcher').click();
    await widgetInput(visitor).fill('你好，我的订单还没到');
    await widgetInput(visitor).press('Enter');

    const agentContext = await newContext(browser);
    const agent = await agentContext.newPage();
    await signIn(agent, kefu.url, 'li@example.com', 'agent-password');
    await takeConversation(agent);
    await bubble(agent, '你好，我的订单还没到').waitFor();

    const composer = agent.locator('kf-composer textarea');
    await composer.fill('您好，我来帮您查一下');
    await composer.press('Enter');
    await visitor.locator('kf-chat', { hasText: '您好，我来帮您查一下' }).waitFor();

    await widgetInput(visitor).fill('单号是 12345');
    await widgetInput(visitor).press('Enter');
    await bubble(agent, '单号是 12345').waitFor();

    await agent.locator('kf-composer input[type=file]').setInputFiles({ name: 'label.png', mimeType: 'image/png', buffer: PNG_BYTES });
    await visitor.locator('kf-chat img[src*="/uploads/"]').first().waitFor();
    await visitor.locator('kf-chat input[type=file]').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: PNG_BYTES });
    await expect.poll(() => timeline(agent).locator('img[src*="/uploads/"]').count()).toBe(2);

    await agent.reload();
    await agent.locator('kf-conversation-list li').first().click();
    await bubble(agent, '您好，我来帮您查一下').waitFor();
    await bubble(agent, '单号是 12345').waitFor();
    expect(await timeline(agent).locator('img[src*="/uploads/"]').count()).toBe(2);

    await visitor.reload();
    await visitor.locator('kf-widget button.launcher').click();
    await visitor.locator('kf-chat', { hasText: '单号是 12345' }).waitFor();
    await widgetSays(visitor, '您好，我来帮您查一下').waitFor();
    // Each image once by source (the widget's own rendering of duplicates is its concern, not this flow's).
    const srcs = await visitor.locator('kf-chat img[src*="/uploads/"]').evaluateAll((els) => els.map((e) => (e as HTMLImageElement).src));
    expect(new Set(srcs).size).toBe(2);

    await visitorContext.close();
    await agentContext.close();
  }, 120_000);
});
