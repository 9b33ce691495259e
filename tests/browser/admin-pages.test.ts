import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { Client, createUser, startTestKefu, stopAndDrop, type TestKefu } from '../support/harness.ts';
import { ensureBuilt, launchBrowser, newContext, signIn, skipBrowser } from './browser.ts';

/**
 * The admin pages in Chromium: an admin opens each one from the navigation and does its main job,
 * checked through the API; an agent sees only 工作台, 快捷回复语料 and 留言回复.
 */
describe.skipIf(skipBrowser)('admin pages', () => {
  let kefu: TestKefu;
  let browser: Browser;
  let admin: Client;
  let page: Page;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    await ensureBuilt();
    kefu = await startTestKefu();
    admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    await createUser(kefu, { email: 'li@example.com', name: '小李', status: 'paused' });
    browser = await launchBrowser();
    page = await consoleFor(kefu.adminEmail, kefu.adminPassword);
  }, 240_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => undefined);
    await browser?.close();
    if (kefu) await stopAndDrop(kefu);
  }, 120_000);

  async function consoleFor(email: string, password: string): Promise<Page> {
    const context = await newContext(browser);
    contexts.push(context);
    const p = await context.newPage();
    await signIn(p, kefu.url, email, password);
    return p;
  }

  async function open(title: string): Promise<void> {
    if (!(await page.locator('kf-side-nav').isVisible())) await page.locator('kf-header nav button', { hasText: '管理后台' }).click();
    await page.locator('kf-side-nav button', { hasText: title }).click();
    await expect.poll(() => page.locator('kf-side-nav button[aria-current=page]').textContent()).toContain(title);
  }

  const setting = async (key: string) => (await admin.get(`/api/settings/${key}`)).body.value;

  it('offers an admin every page in the menu, in order', async () => {
    await page.locator('kf-header nav button', { hasText: '管理后台' }).click();
    await expect
      .poll(() => page.locator('kf-side-nav button').allTextContents())
      .toEqual(['人工客服设置', '会话设置', '渠道管理', '知识库', '快捷回复语料', '留言回复', '会话记录', '数据看板', '客服账号', '审计日志']);
    expect(new URL(page.url()).pathname).toBe('/console/admin/human-service');
  });

  it('人工客服设置: saves a section, shows the server’s refusal, and saves service hours', async () => {
    await open('人工客服设置');
    const human = page.locator('kf-setting-form form[data-key=humanService]');
    await human.locator('input[name=enabled]').uncheck();
    await human.locator('textarea[name=disabledReply]').fill('人工客服今天休息');
    await human.locator('button[type=submit]').click();
    await expect.poll(() => human.locator('[role=status]').textContent()).toBe('已保存');
    expect(await setting('humanService')).toEqual({ enabled: false, disabledReply: '人工客服今天休息' });

    const queue = page.locator('kf-setting-form form[data-key=queue]');
    await queue.locator('input[name=updateIntervalMinutes]').fill('0');
    await queue.locator('button[type=submit]').click();
    await expect.poll(() => queue.locator('[role=status].error').textContent()).toContain('updateIntervalMinutes');
    expect((await setting('queue')).updateIntervalMinutes).toBe(2);

    const hours = page.locator('kf-service-hours-form form');
    await hours.locator('input[name=enabled]').check();
    await hours.locator('button', { hasText: '添加特殊日期' }).click();
    await hours.locator('tr[data-override="0"] input[type=date]').fill('2026-10-01');
    await hours.locator('button[type=submit]').click();
    await expect.poll(() => hours.locator('[role=status]').textContent()).toBe('已保存');
    const saved = await setting('serviceHours');
    expect(saved).toMatchObject({ enabled: true, overrides: [{ date: '2026-10-01', closed: true }] });
  });

  it('会话设置: saves auto-close and adds a sensitive word', async () => {
    await open('会话设置');
    const session = page.locator('kf-setting-form form[data-key=session]');
    await session.locator('input[name=autoCloseMinutes]').fill('25');
    await session.locator('select[name=noReplyAction]').selectOption('alert');
    await session.locator('button[type=submit]').click();
    await expect.poll(() => session.locator('[role=status]').textContent()).toBe('已保存');
    expect(await setting('session')).toMatchObject({ autoCloseMinutes: 25, noReplyAction: 'alert' });

    const words = page.locator('kf-sensitive-words-page');
    await words.locator('textarea').fill('违禁词');
    await words.locator('button', { hasText: '保存' }).click();
    await words.locator('p.muted', { hasText: '已保存' }).waitFor();
    expect((await admin.get('/api/sensitive-words')).body.words).toEqual(['违禁词']);
  });

  it('渠道管理: adds an Official Account (callback URL and token) and edits the web channel', async () => {
    await open('渠道管理');
    const channels = page.locator('kf-channels-page');
    await channels.locator('button', { hasText: '微信公众号' }).click();
    await channels.locator('input[name=name]').fill('服务号');
    await channels.locator('input[name=appId]').fill('wx1234567890');
    await channels.locator('input[name=appSecret]').fill('app-secret');
    await channels.locator('input[name=token]').fill('mytoken123');
    await channels.locator('select[name=mode]').selectOption('plain');
    await channels.locator('button[type=submit]', { hasText: '创建' }).click();
    await expect.poll(() => channels.locator('dd.callback-url').textContent()).toContain('/connectors/wechat-mp/');
    await expect.poll(() => channels.locator('dd.token').textContent()).toBe('mytoken123');
    const list = (await admin.get('/api/channels')).body.items as { id: string; type: string; name: string }[];
    expect(list.some((c) => c.type === 'wechat_mp' && c.name === '服务号')).toBe(true);

    const web = channels.locator(`tr[data-channel="${kefu.webChannelId}"]`);
    await web.locator('button', { hasText: '设置' }).click();
    await expect.poll(() => channels.locator('pre.embed').textContent()).toContain(`data-channel="${kefu.webChannelId}"`);
    const form = channels.locator('kf-channel-settings');
    await form.locator('input[name=botEnabled]').check();
    await form.locator('textarea[name=greeting]').fill('您好，有什么可以帮您？');
    await form.locator('input[name=transferAfterMisses]').fill('3');
    await form.locator('button[type=submit]').click();
    await expect.poll(() => form.locator('[role=status]').textContent()).toBe('已保存');
    const settings = (await admin.get(`/api/channels/${kefu.webChannelId}/settings`)).body.settings;
    expect(settings).toMatchObject({ botEnabled: true, greeting: '您好，有什么可以帮您？', transferAfterMisses: 3 });
  });

  it('知识库: creates an item', async () => {
    await open('知识库');
    const knowledge = page.locator('kf-knowledge-page');
    await knowledge.locator('button', { hasText: '新建问题' }).click();
    await knowledge.locator('kf-knowledge-editor input[name=question]').fill('怎么开发票');
    await knowledge.locator('kf-knowledge-editor textarea[name=answer]').fill('在订单详情页申请开票。');
    await knowledge.locator('kf-knowledge-editor button', { hasText: '保存' }).click();
    await knowledge.locator('td', { hasText: '怎么开发票' }).waitFor();
    const found = (await admin.get('/api/knowledge?q=' + encodeURIComponent('开发票'))).body.items as { question: string }[];
    expect(found.map((i) => i.question)).toContain('怎么开发票');
  });

  it('快捷回复语料: creates a public quick reply', async () => {
    await open('快捷回复语料');
    const replies = page.locator('kf-quick-replies-page');
    await replies.locator('input[name=keyword]').fill('问候');
    await replies.locator('input[name=content]').fill('您好，很高兴为您服务');
    await replies.locator('button.primary', { hasText: '添加' }).click();
    await replies.locator('td', { hasText: '您好，很高兴为您服务' }).waitFor();
    const items = (await admin.get('/api/quick-replies?scope=public')).body.items as { content: string }[];
    expect(items.map((r) => r.content)).toContain('您好，很高兴为您服务');
  });

  it('留言回复: marks a 留言 done', async () => {
    const visitor = new Client(kefu.url);
    const session = await visitor.post('/api/widget/session', { channelId: kefu.webChannelId, profile: { device: 'pc' } });
    expect(session.status).toBeLessThan(300);
    const row = await kefu.app.prisma.visitor.findFirstOrThrow({ orderBy: { firstSeenAt: 'desc' } });
    const message = await kefu.app.prisma.offlineMessage.create({
      data: { visitorId: row.id, channelId: kefu.webChannelId, phone: '13800000000', content: '请回电话' },
    });
    await open('留言回复');
    const offline = page.locator('kf-offline-messages-page');
    await offline.locator('tr', { hasText: '请回电话' }).click();
    await offline.locator('input[name=note]').fill('已回电');
    await offline.locator('button', { hasText: '标记为已结单' }).click();
    await expect.poll(async () => (await admin.get(`/api/offline-messages/${message.id}`)).body.message.status).toBe('done');
  });

  it('会话记录: starts an export and sees it finish', async () => {
    await open('会话记录');
    const records = page.locator('kf-records-page');
    await records.locator('button', { hasText: '导出 Excel' }).click();
    await records.locator('kf-export-progress a', { hasText: '下载导出文件' }).waitFor({ timeout: 30_000 });
  });

  it('会话记录: filters by whole days in the viewer’s time zone', async () => {
    // UTC+14: for most of the day its calendar date is not the UTC one.
    const zone = 'Pacific/Kiritimati';
    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1280, height: 800 }, timezoneId: zone });
    contexts.push(context);
    const zoned = await context.newPage();
    await signIn(zoned, kefu.url, kefu.adminEmail, kefu.adminPassword);
    const visitor = await kefu.app.prisma.visitor.create({ data: { channelId: kefu.webChannelId, externalId: `tz-${Date.now()}`, name: '时区访客' } });
    await kefu.app.prisma.conversation.create({ data: { channelId: kefu.webChannelId, visitorId: visitor.id, status: 'closed', reachedHuman: true, closedAt: new Date() } });
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    await zoned.goto(kefu.url + '/console/admin/records');
    const records = zoned.locator('kf-records-page');
    await records.locator('input[type=date]').nth(0).fill(today);
    await records.locator('input[type=date]').nth(1).fill(today);
    await expect.poll(() => records.locator('tbody tr', { hasText: '时区访客' }).count(), { timeout: 10_000 }).toBe(1);
  });

  it('数据看板: draws a chart', async () => {
    await open('数据看板');
    await page.locator('kf-dashboard-page canvas').first().waitFor({ timeout: 15_000 });
  });

  it('客服账号: changes a limit, disables and re-enables an agent', async () => {
    await open('客服账号');
    const row = page.locator('kf-agents-page tr[data-agent="li@example.com"]');
    await row.locator('input[type=number]').fill('8');
    await row.locator('input[type=number]').press('Enter');
    const agent = async () => ((await admin.get('/api/agents')).body.items as { email: string; autoAcceptLimit: number; disabled: boolean }[]).find((a) => a.email === 'li@example.com')!;
    await expect.poll(async () => (await agent()).autoAcceptLimit).toBe(8);
    await row.locator('button', { hasText: '停用' }).click();
    await expect.poll(async () => (await agent()).disabled).toBe(true);
    await row.locator('button', { hasText: '启用' }).click();
    await expect.poll(async () => (await agent()).disabled).toBe(false);
  });

  it('shows an agent only the workbench, quick replies and 留言', async () => {
    const agentPage = await consoleFor('li@example.com', 'agent-password');
    await expect.poll(() => agentPage.locator('kf-header nav button').allTextContents()).toEqual(['工作台', '快捷回复语料', '留言回复']);
    await agentPage.locator('kf-header nav button', { hasText: '快捷回复语料' }).click();
    await agentPage.locator('kf-quick-replies-page').waitFor();
    expect(await agentPage.locator('kf-side-nav').count()).toBe(0);
    await agentPage.goto(kefu.url + '/console/admin/records');
    await agentPage.locator('kf-conversation-list [role=tablist]').waitFor();
    expect(await agentPage.locator('kf-records-page').count()).toBe(0);
  });
});
