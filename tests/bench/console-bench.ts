/**
 * Console figures: `console_js_gzip_kb`, the gzipped JavaScript that index.html loads up front (lazy
 * chunks excluded), and `switch_render_ms`, the time from clicking a conversation with 1,000
 * messages until its latest message is on screen in Chromium (cold: its history is fetched first),
 * the median of five opens. Needs PostgreSQL and Redis like the other benches.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';

const root = path.resolve(import.meta.dirname, '../..');

/** The scripts index.html references (entry and modulepreloads), gzipped at level 9, in KB. */
export function measureInitialJs(dist = path.join(root, 'dist/console')): number {
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const files = new Set([...html.matchAll(/(?:src|href)="\/?(assets\/[^"]+\.js)"/g)].map((m) => m[1]!));
  let bytes = 0;
  for (const file of files) bytes += zlib.gzipSync(fs.readFileSync(path.join(dist, file)), { level: 9 }).length;
  return Math.round((bytes / 1024) * 10) / 10;
}

export async function benchConsole(): Promise<{ console_js_gzip_kb: number; switch_render_ms: number }> {
  process.env.KEFU_TEST_DATABASE_URL ??= process.env.BENCH_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
  process.env.KEFU_TEST_REDIS_URL ??= process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const { ensureBuilt, launchBrowser, newContext, signIn } = await import('../browser/browser.ts');
  const { Client, createUser, startTestKefu, stopAndDrop } = await import('../support/harness.ts');
  await ensureBuilt();
  const console_js_gzip_kb = measureInitialJs();

  const kefu = await startTestKefu();
  const browser = await launchBrowser();
  try {
    const admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    await admin.patch('/api/me/status', { status: 'paused' });
    const agent = await createUser(kefu, { email: 'bench@example.com', name: 'bench', status: 'online', autoAcceptLimit: 50 });
    const actor = { type: 'agent' as const, id: agent.id, role: 'agent' as const, name: agent.name };

    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const visitor = new Client(kefu.url);
      const session = await visitor.post('/api/widget/session', { channelId: kefu.webChannelId, profile: { device: 'pc' } });
      visitor.token = session.body.visitorToken;
      const sent = await visitor.post('/api/widget/messages', { clientMessageId: crypto.randomUUID(), kind: 'text', text: `bench ${i}` });
      ids.push(sent.body.message.conversationId);
    }
    for (const id of ids) {
      for (let seen = Date.now(); (await kefu.app.conversations.requireConversation(id)).assigneeId !== agent.id; ) {
        if (Date.now() - seen > 20_000) throw new Error('bench conversation was not assigned');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    // Five long conversations (1,000 messages each) and one short one to switch from.
    const long = ids.slice(0, 5);
    for (const id of long) {
      for (let n = 1; n <= 1000; n++) {
        await kefu.app.conversations.sendAgentMessage(actor, id, { clientMessageId: crypto.randomUUID(), kind: 'text', text: `第 ${n} 条消息：${'内容'.repeat(n % 20)}` });
      }
    }

    const context = await newContext(browser);
    // tsx keeps function names with a `__name` helper that the page does not have.
    await context.addInitScript('window.__name = (fn) => fn;');
    const page = await context.newPage();
    await signIn(page, kefu.url, 'bench@example.com', 'agent-password');
    await page.locator('kf-conversation-list li').nth(5).waitFor();
    const timings: number[] = [];
    for (const id of long) {
      await page.locator(`kf-conversation-list li[data-id="${ids[5]}"]`).click();
      await page.waitForTimeout(300);
      timings.push(
        await page.evaluate(async (conversationId) => {
          const deep = (host: Element | null | undefined, selector: string) => host?.shadowRoot?.querySelector(selector) ?? null;
          const app = document.querySelector('kf-app');
          const workbench = deep(app, 'kf-workbench');
          const list = deep(workbench, 'kf-conversation-list');
          const row = list?.shadowRoot?.querySelector<HTMLElement>(`li[data-id="${conversationId}"]`);
          const started = performance.now();
          row!.click();
          for (;;) {
            await new Promise((resolve) => requestAnimationFrame(resolve));
            const pane = deep(workbench, 'kf-message-pane');
            const timeline = deep(pane, 'kf-message-list');
            const bubbles = timeline?.shadowRoot?.querySelectorAll('kf-message-bubble');
            const last = bubbles?.[bubbles.length - 1]?.shadowRoot?.textContent ?? '';
            if (last.includes('第 1000 条消息')) return performance.now() - started;
            if (performance.now() - started > 10_000) throw new Error('conversation did not render');
          }
        }, id),
      );
    }
    timings.sort((a, b) => a - b);
    return { console_js_gzip_kb, switch_render_ms: Math.round(timings[2]! * 10) / 10 };
  } finally {
    await browser.close();
    await stopAndDrop(kefu);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchConsole()));
  process.exit(0);
}
