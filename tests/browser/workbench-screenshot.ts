/**
 * Renders docs/workbench.png (1280×800): a workbench with a few live conversations, quick replies
 * and a 智能辅助 suggestion. Run with `npx tsx tests/browser/workbench-screenshot.ts`.
 */
import crypto from 'node:crypto';
import path from 'node:path';
import { Client, createUser, startTestKefu, stopAndDrop } from '../support/harness.ts';
import { ensureBuilt, launchBrowser, newContext, signIn } from './browser.ts';

await ensureBuilt();
const kefu = await startTestKefu();
const admin = new Client(kefu.url);
await admin.login(kefu.adminEmail, kefu.adminPassword);
await admin.patch('/api/me/status', { status: 'paused' });
await createUser(kefu, { email: 'li@example.com', name: '李娜', status: 'online', autoAcceptLimit: 8 });
await admin.post('/api/quick-replies', { scope: 'public', keyword: '退货', content: '支持七天无理由退货，请在「我的订单」中申请。' });
await admin.post('/api/quick-replies', { scope: 'public', keyword: '发货', content: '付款后 48 小时内发货，节假日顺延。' });
await admin.post('/api/quick-replies', { scope: 'public', keyword: '发票', content: '电子发票会在确认收货后发送到您的邮箱。' });

const browser = await launchBrowser();
try {
  const page = await (await newContext(browser)).newPage();
  await signIn(page, kefu.url, 'li@example.com', 'agent-password');
  const chats: [string, string[], string?][] = [
    ['https://shop.example.com/item/8831', ['你好，我昨天下的单什么时候发货？', '订单号 20261125-8831'], '您好，我帮您查一下物流状态，请稍等。'],
    ['https://shop.example.com/cart', ['优惠券为什么用不了？']],
    ['https://shop.example.com/item/2050', ['这件外套有 L 码吗', '想要黑色的'], '有的，黑色 L 码目前有货。'],
  ];
  let lastId = '';
  for (const [pageUrl, lines, reply] of chats) {
    const visitor = new Client(kefu.url);
    const session = await visitor.post('/api/widget/session', { channelId: kefu.webChannelId, profile: { device: 'pc', page: pageUrl, title: '示例商城' } });
    visitor.token = session.body.visitorToken;
    for (const text of lines) {
      const sent = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text });
      lastId = sent.body.message.conversationId;
    }
    await new Promise((resolve) => setTimeout(resolve, 2500));
    if (reply) {
      const agent = new Client(kefu.url);
      agent.cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
      await agent.post(`/api/conversations/${lastId}/messages`, { clientMessageId: crypto.randomUUID(), kind: 'text', text: reply });
    }
  }
  const first = page.locator('kf-conversation-list li').first();
  await first.click();
  const openId = await first.getAttribute('data-id');
  const record = await kefu.app.conversations.requireConversation(openId!);
  await kefu.app.bus.publish({
    name: 'assist.suggested',
    conversation: record,
    suggestions: [
      { itemId: 'k1', question: '什么时候发货？', answer: '付款后 48 小时内发货，节假日顺延。', confidence: 0.92 },
      { itemId: 'k2', question: '怎么查物流？', answer: '在「我的订单」点击「查看物流」即可看到最新进度。', confidence: 0.61 },
    ],
  } as never);
  await page.locator('kf-assist-panel .answer').first().waitFor({ timeout: 5000 }).catch(() => undefined);
  await page.locator('kf-composer textarea').fill('您的订单已经在打包了，');
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.resolve('docs/workbench.png') });
  await page.locator('kf-extension-panel [role=tab]', { hasText: '快捷回复' }).click();
  await page.waitForTimeout(500);
  await page.screenshot({ path: path.resolve('.tmp/workbench-quick.png') });
} finally {
  await browser.close();
  await stopAndDrop(kefu);
}
process.exit(0);
