import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Client, createUser, startTestKefu, stopAndDrop, type TestKefu } from '../support/harness.ts';
import { ensureBuilt, launchBrowser, newContext, PNG_BYTES, signIn, skipBrowser } from './browser.ts';

/**
 * The agent workbench in Chromium: tabs per role, 转接 between two agents, quick replies, 在线 /
 * 停止接入, and a dropped socket. Visitors are driven over HTTP; agents only through the UI.
 */
describe.skipIf(skipBrowser)('agent workbench', () => {
  let kefu: TestKefu;
  let browser: Browser;
  let admin: Client;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    kefu = await startTestKefu();
    admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    await admin.patch('/api/me/status', { status: 'paused' });
    // Paused (停止接入) until a test says otherwise: nothing is assigned behind a test's back.
    await createUser(kefu, { email: 'zhang@example.com', name: '张三', status: 'paused' });
    await createUser(kefu, { email: 'wang@example.com', name: '王五', status: 'paused' });
    // Online but with no free slot: with nobody else 在线 a hand-off waits in the queue instead of staying with the bot.
    await createUser(kefu, { email: 'full@example.com', name: '满载', status: 'online', autoAcceptLimit: 0 });
    browser = await launchBrowser();
  }, 240_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    if (kefu) await stopAndDrop(kefu);
  }, 120_000);

  async function consoleFor(email: string, password = 'agent-password'): Promise<Page> {
    const context = await newContext(browser);
    contexts.push(context);
    const page = await context.newPage();
    await signIn(page, kefu.url, email, password);
    return page;
  }

  /** A web visitor who writes once; answers the conversation id and the visitor's display name. */
  async function visitorSays(text: string) {
    const visitor = new Client(kefu.url);
    const session = await visitor.post('/api/widget/session', { channelId: kefu.webChannelId, profile: { device: 'pc', page: 'https://shop.example.com/item/1' } });
    visitor.token = session.body.visitorToken;
    const sent = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text });
    expect(sent.status).toBe(201);
    const conversationId: string = sent.body.message.conversationId;
    const conversation = (await admin.get(`/api/conversations/${conversationId}`)).body.conversation;
    return { visitor, conversationId, name: conversation.visitor.name as string };
  }

  const tab = (page: Page, label: string) => page.locator('kf-conversation-list [role=tab]', { hasText: label });
  const row = (page: Page, name: string) => page.locator('kf-conversation-list li', { hasText: name });
  const bubble = (page: Page, text: string) => page.locator('kf-message-list kf-message-bubble', { hasText: text });
  const composer = (page: Page) => page.locator('kf-composer textarea');

  async function setStatus(page: Page, status: '在线' | '停止接入') {
    await page.locator('kf-header select').selectOption({ label: status });
    await expect.poll(() => page.locator('kf-header select').inputValue()).toBe(status === '在线' ? 'online' : 'paused');
  }

  /** Opens the visitor's conversation as its assignee: already in 我的客户, or taken from 排队客户 with 接入. */
  async function serve(page: Page, name: string) {
    await expect
      .poll(async () => {
        const shows = () => row(page, name).waitFor({ timeout: 1500 }).then(() => true, () => false);
        await tab(page, '我的客户').click();
        if (await shows()) return true;
        await tab(page, '排队客户').click();
        if (!(await shows())) return false;
        await row(page, name).click();
        const pick = page.locator('kf-message-pane button', { hasText: '接入' });
        if (await pick.isVisible()) await pick.click();
        return false;
      }, { timeout: 20_000, interval: 300 })
      .toBe(true);
    await row(page, name).click();
    await composer(page).waitFor();
  }

  /** Ends a conversation a test no longer needs, so the agent's slots stay free for the next tests. */
  async function release(conversationId: string) {
    expect((await admin.post(`/api/conversations/${conversationId}/close`)).status).toBe(200);
  }

  it('shows admins 所有客户 / 我的客户 / 排队客户 and agents 我的客户 / 排队客户, with counts', async () => {
    const { name } = await visitorSays('请问有货吗？');
    const adminPage = await consoleFor(kefu.adminEmail, kefu.adminPassword);
    expect(await adminPage.locator('kf-conversation-list [role=tab]').allTextContents()).toEqual([
      expect.stringContaining('所有客户'),
      expect.stringContaining('我的客户'),
      expect.stringContaining('排队客户'),
    ]);
    await row(adminPage, name).waitFor();
    await row(adminPage, name).click();
    await bubble(adminPage, '请问有货吗？').waitFor();
    // Admins may hand a queued conversation to someone (分配).
    await adminPage.locator('kf-message-pane button', { hasText: '分配' }).waitFor();

    const agentPage = await consoleFor('zhang@example.com');
    expect(await agentPage.locator('kf-conversation-list [role=tab]').allTextContents()).toEqual([
      expect.stringContaining('我的客户'),
      expect.stringContaining('排队客户'),
    ]);
    await tab(agentPage, '排队客户').click();
    await row(agentPage, name).waitFor();
    await expect.poll(() => tab(agentPage, '排队客户').textContent()).toMatch(/排队客户\s*[1-9]/);
    await agentPage.context().close();
    await adminPage.context().close();
  }, 90_000);

  it('transfers a conversation with its history from one agent to another, live in both consoles', async () => {
    const zhang = await consoleFor('zhang@example.com');
    const wang = await consoleFor('wang@example.com');
    await setStatus(zhang, '在线');
    const { name } = await visitorSays('我要换货');
    await serve(zhang, name);
    await setStatus(wang, '在线');
    await composer(zhang).fill('好的，我先看一下');
    await composer(zhang).press('Enter');
    await bubble(zhang, '好的，我先看一下').waitFor();

    await zhang.locator('kf-message-pane button', { hasText: '转接' }).click();
    const dialog = zhang.locator('kf-transfer-dialog dialog');
    await dialog.locator('label', { hasText: '王五' }).waitFor();
    expect(await dialog.locator('label', { hasText: '王五' }).textContent()).toMatch(/接待 \d+\/5/);
    await dialog.locator('label', { hasText: '王五' }).click();
    await dialog.locator('button[type=submit]').click();
    await dialog.waitFor({ state: 'detached' });

    await tab(zhang, '我的客户').click();
    await expect.poll(() => row(zhang, name).count()).toBe(0);
    await tab(wang, '我的客户').click();
    await row(wang, name).waitFor();
    await row(wang, name).click();
    await bubble(wang, '我要换货').waitFor();
    await bubble(wang, '好的，我先看一下').waitFor();
    await composer(wang).waitFor();
    await setStatus(zhang, '停止接入');
    await setStatus(wang, '停止接入');
    await zhang.context().close();
    await wang.context().close();
  }, 90_000);

  it('inserts quick replies from the public and the personal library, and inline with /', async () => {
    const category = await admin.post('/api/quick-reply-categories', { scope: 'public', name: '售后' });
    expect(category.status).toBe(201);
    const shared = await admin.post('/api/quick-replies', { scope: 'public', categoryId: category.body.category.id, keyword: '退货', content: '支持七天无理由退货，请在订单页申请。' });
    expect(shared.status).toBe(201);
    const zhangApi = new Client(kefu.url);
    await zhangApi.login('zhang@example.com', 'agent-password');
    await zhangApi.patch('/api/me/status', { status: 'paused' });
    const own = await zhangApi.post('/api/quick-replies', { scope: 'personal', keyword: '问候', content: '您好，我是张三，很高兴为您服务。' });
    expect(own.status).toBe(201);

    const zhang = await consoleFor('zhang@example.com');
    await setStatus(zhang, '在线');
    const { name } = await visitorSays('怎么退货？');
    await serve(zhang, name);
    await setStatus(zhang, '停止接入');

    const panel = zhang.locator('kf-extension-panel');
    await panel.locator('[role=tab]', { hasText: '快捷回复' }).click();
    await panel.locator('kf-quick-replies button', { hasText: '售后' }).click();
    await panel.locator('kf-quick-replies li button', { hasText: '退货' }).click();
    await expect.poll(() => composer(zhang).inputValue()).toBe('支持七天无理由退货，请在订单页申请。');

    await panel.locator('kf-quick-replies button', { hasText: '个人' }).click();
    await composer(zhang).fill('');
    await panel.locator('kf-quick-replies li button', { hasText: '问候' }).click();
    await expect.poll(() => composer(zhang).inputValue()).toBe('您好，我是张三，很高兴为您服务。');

    await composer(zhang).fill('');
    await composer(zhang).pressSequentially('/退');
    await zhang.locator('kf-composer .slash li[aria-selected=true]', { hasText: '退货' }).waitFor();
    await composer(zhang).press('Enter');
    await expect.poll(() => composer(zhang).inputValue()).toBe('支持七天无理由退货，请在订单页申请。');
    await composer(zhang).press('Enter');
    await bubble(zhang, '支持七天无理由退货').waitFor();

    // Ctrl+K jumps to a conversation by the visitor's name.
    await tab(zhang, '我的客户').click();
    await zhang.locator('kf-conversation-list li').nth(1).waitFor();
    const other = (await zhang.locator('kf-conversation-list li .name').allTextContents()).find((n) => n !== name)!;
    await zhang.keyboard.press('Control+k');
    await zhang.locator('kf-jump-dialog input').fill(other);
    await zhang.locator('kf-jump-dialog input').press('Enter');
    await zhang.locator('kf-message-pane h2', { hasText: other }).waitFor();
    await zhang.context().close();
  }, 90_000);

  it('gives a paused agent no new conversation while they still serve their own', async () => {
    const zhang = await consoleFor('zhang@example.com');
    const wang = await consoleFor('wang@example.com');
    await setStatus(zhang, '在线');
    const first = await visitorSays('第一位访客');
    await serve(zhang, first.name);
    await setStatus(zhang, '停止接入');
    await expect(zhang.locator('kf-header .load').textContent()).resolves.toMatch(/接待 \d+\/5/);

    await setStatus(wang, '在线');
    const second = await visitorSays('第二位访客');
    await expect
      .poll(async () => (await admin.get(`/api/conversations/${second.conversationId}`)).body.conversation.assigneeName, { timeout: 20_000 })
      .toBe('王五');
    await tab(zhang, '我的客户').click();
    await expect.poll(() => row(zhang, second.name).count()).toBe(0);
    // The new conversation is unread for 王五: the tab title says so.
    await expect.poll(() => wang.title()).toMatch(/^\(\d+\) Kefu/);

    // Still serving: the paused agent answers their own conversation.
    await row(zhang, first.name).click();
    await composer(zhang).fill('我还在为您处理');
    await composer(zhang).press('Enter');
    await bubble(zhang, '我还在为您处理').locator('.state', { hasText: /已发送|已送达/ }).waitFor().catch(() => undefined);
    await expect.poll(async () => (await first.visitor.get('/api/widget/messages?after=0')).body.items.some((m: { text: string }) => m.text === '我还在为您处理')).toBe(true);
    await setStatus(wang, '停止接入');
    await zhang.context().close();
    await wang.context().close();
  }, 90_000);

  it('sends a 智能辅助 suggestion in one click and saves one question and one answer with 问题收录', async () => {
    const zhang = await consoleFor('zhang@example.com');
    await setStatus(zhang, '在线');
    const { conversationId, name } = await visitorSays('运费怎么算？');
    await serve(zhang, name);
    await setStatus(zhang, '停止接入');

    await kefu.app.bus.publish({
      name: 'assist.suggested',
      conversation: await kefu.app.conversations.requireConversation(conversationId),
      suggestions: [{ itemId: 'k1', question: '运费怎么算？', answer: '满 99 元包邮，不满收 8 元。', confidence: 0.9 }],
    } as never);
    const suggestion = zhang.locator('kf-assist-panel .answer', { hasText: '满 99 元包邮' });
    await suggestion.locator('button', { hasText: '发送' }).click();
    await bubble(zhang, '满 99 元包邮，不满收 8 元。').waitFor();

    // The capture goes to the knowledge base; the request is checked here, whatever the server does with it.
    let captured: Record<string, unknown> | null = null;
    await zhang.route('**/api/knowledge/capture', async (route) => {
      captured = route.request().postDataJSON();
      await route.fulfill({ status: 201, contentType: 'application/json', body: '{"ok":true}' });
    });
    await zhang.locator('kf-message-pane button', { hasText: '问题收录' }).click();
    const dialog = zhang.locator('kf-capture-dialog dialog');
    await dialog.locator('.questions label', { hasText: '运费怎么算？' }).click();
    await dialog.locator('.answers label', { hasText: '满 99 元包邮' }).click();
    await dialog.locator('textarea[name=answer]').fill('满 99 元包邮，不满 99 元收运费 8 元。');
    await dialog.locator('button[type=submit]').click();
    await dialog.waitFor({ state: 'detached' });
    expect(captured).toMatchObject({ conversationId, question: '运费怎么算？', answer: '满 99 元包邮，不满 99 元收运费 8 元。' });

    // Esc closes a dialog.
    await zhang.locator('kf-message-pane button', { hasText: '转接' }).click();
    await zhang.locator('kf-transfer-dialog dialog').waitFor();
    await zhang.keyboard.press('Escape');
    await zhang.locator('kf-transfer-dialog').waitFor({ state: 'detached' });
    await zhang.context().close();
  }, 90_000);

  it('shows why a send failed and stores the retry once, under the same client message id', async () => {
    const zhang = await consoleFor('zhang@example.com');
    await setStatus(zhang, '在线');
    const { conversationId, name } = await visitorSays('能帮我查下订单吗？');
    await serve(zhang, name);
    await setStatus(zhang, '停止接入');

    // The first send never reaches the server (a dropped connection); later ones go through.
    const posted: string[] = [];
    await zhang.route('**/api/conversations/*/messages', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      posted.push(route.request().postDataJSON().clientMessageId);
      if (posted.length === 1) return route.abort('connectionreset');
      return route.continue();
    });
    await composer(zhang).fill('正在为您查询');
    await composer(zhang).press('Enter');
    const failed = bubble(zhang, '正在为您查询').locator('.state.failed');
    await failed.waitFor();
    expect(await failed.textContent()).toContain('发送失败: 网络错误');

    await failed.locator('button', { hasText: '重试' }).click();
    await bubble(zhang, '正在为您查询').locator('.state', { hasText: /已发送|已送达/ }).waitFor();
    expect(posted).toHaveLength(2);
    expect(posted[1]).toBe(posted[0]);
    expect(await bubble(zhang, '正在为您查询').count()).toBe(1);
    const stored = (await admin.get(`/api/conversations/${conversationId}/messages?limit=50`)).body.items as { text: string | null }[];
    expect(stored.filter((m) => m.text === '正在为您查询')).toHaveLength(1);
    await zhang.context().close();
    await release(conversationId);
  }, 90_000);

  it('uploads and sends an image pasted into the composer', async () => {
    const zhang = await consoleFor('zhang@example.com');
    await setStatus(zhang, '在线');
    const { visitor, conversationId, name } = await visitorSays('商品有破损，我截个图');
    await serve(zhang, name);
    await setStatus(zhang, '停止接入');

    await composer(zhang).evaluate((area, bytes) => {
      const data = new DataTransfer();
      data.items.add(new File([new Uint8Array(bytes)], 'screenshot.png', { type: 'image/png' }));
      area.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true, composed: true }));
    }, [...PNG_BYTES]);
    const image = zhang.locator('kf-message-list kf-message-bubble[side=right] img');
    await image.waitFor();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(4);
    expect(await composer(zhang).inputValue()).toBe('');
    await expect
      .poll(async () => (await visitor.get('/api/widget/messages?after=0')).body.items.filter((m: { kind: string; sender: string }) => m.kind === 'image' && m.sender === 'agent').length)
      .toBe(1);
    await zhang.context().close();
    await release(conversationId);
  }, 90_000);

  it('keeps only the visible part of a long history in the page, following new messages and loading older ones on scroll', async () => {
    const zhang = await consoleFor('zhang@example.com');
    await setStatus(zhang, '在线');
    const { conversationId, name } = await visitorSays('我想看看所有记录');
    await serve(zhang, name);
    await setStatus(zhang, '停止接入');
    const agent = await kefu.app.prisma.user.findUniqueOrThrow({ where: { email: 'zhang@example.com' } });
    const actor = { type: 'agent' as const, id: agent.id, role: 'agent' as const, name: agent.name };
    const label = (n: number) => `历史消息 ${String(n).padStart(3, '0')}`;
    for (let n = 1; n <= 300; n++) {
      await kefu.app.conversations.sendAgentMessage(actor, conversationId, { clientMessageId: crypto.randomUUID(), kind: 'text', text: `${label(n)}${n % 7 ? '' : '\n第二行'}` });
    }
    const rendered = () => zhang.locator('kf-message-list kf-message-bubble').count();
    // Live messages keep the timeline at the bottom, and only the rows near the viewport are in the DOM.
    await expect.poll(() => bubble(zhang, label(300)).isVisible()).toBe(true);
    await expect.poll(() => bubble(zhang, label(300)).evaluate((el) => el.getBoundingClientRect().bottom <= innerHeight)).toBe(true);
    expect(await rendered()).toBeLessThan(80);

    // Opened fresh, the latest page shows at the bottom; scrolling up loads older pages until the first.
    await zhang.reload();
    await row(zhang, name).click();
    await expect.poll(() => bubble(zhang, label(300)).isVisible()).toBe(true);
    const scroller = zhang.locator('kf-message-list .scroller');
    // The older page goes in above without moving what the reader was looking at.
    await scroller.evaluate((el) => (el.scrollTop = 0));
    await bubble(zhang, label(250)).waitFor({ state: 'attached' });
    await zhang.waitForTimeout(300);
    expect(
      await bubble(zhang, label(251)).evaluate((el) => {
        const box = el.getBoundingClientRect();
        const view = (el.getRootNode() as ShadowRoot).querySelector('.scroller')!.getBoundingClientRect();
        return box.bottom > view.top && box.top < view.bottom;
      }),
    ).toBe(true);
    await expect
      .poll(async () => {
        await scroller.evaluate((el) => (el.scrollTop = 0));
        return bubble(zhang, label(1)).isVisible();
      }, { timeout: 30_000, interval: 300 })
      .toBe(true);
    expect(await rendered()).toBeLessThan(80);
    expect(await bubble(zhang, label(300)).count()).toBe(0);
    await zhang.locator('kf-message-list .older', { hasText: '没有更早的消息了' }).waitFor();

    // Back at the bottom, the newest message is rendered again.
    await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await expect.poll(() => bubble(zhang, label(300)).isVisible()).toBe(true);
    await zhang.context().close();
    await release(conversationId);
  }, 120_000);

  it('resumes after the socket drops and shows what arrived meanwhile, once each', async () => {
    const context = await newContext(browser);
    contexts.push(context);
    await context.addInitScript(() => {
      // A switch for the network between this page and the server's socket: `dropSockets()` cuts the
      // connection and refuses new ones until `restoreSockets()`.
      const Native = window.WebSocket;
      const open: WebSocket[] = [];
      let blocked = false;
      const w = window as unknown as { dropSockets: () => void; restoreSockets: () => void };
      w.dropSockets = () => {
        blocked = true;
        open.splice(0).forEach((s) => s.close());
      };
      w.restoreSockets = () => {
        blocked = false;
        dispatchEvent(new Event('online'));
      };
      window.WebSocket = class extends Native {
        constructor(url: string | URL, protocols?: string | string[]) {
          super(blocked ? 'ws://127.0.0.1:9/' : url, protocols);
          open.push(this);
        }
      } as typeof WebSocket;
    });
    const zhang = await context.newPage();
    await signIn(zhang, kefu.url, 'zhang@example.com', 'agent-password');
    await setStatus(zhang, '在线');
    const { visitor, name } = await visitorSays('断线前的消息');
    await serve(zhang, name);
    await setStatus(zhang, '停止接入');

    await zhang.evaluate(() => (window as unknown as { dropSockets: () => void }).dropSockets());
    await zhang.locator('kf-header .conn').waitFor();
    for (const text of ['断线期间一', '断线期间二']) {
      const sent = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text });
      expect(sent.status).toBe(201);
    }
    await zhang.evaluate(() => (window as unknown as { restoreSockets: () => void }).restoreSockets());
    await zhang.locator('kf-header .conn').waitFor({ state: 'detached', timeout: 20_000 });
    await bubble(zhang, '断线期间一').waitFor();
    await bubble(zhang, '断线期间二').waitFor();
    expect(await bubble(zhang, '断线期间一').count()).toBe(1);
    expect(await bubble(zhang, '断线前的消息').count()).toBe(1);
  }, 90_000);
});
