import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from '../../core/records/csv.ts';
import { exportAndWait, seedConversations } from '../bench/export-bench.ts';
import { Client, createUser, startTestKefu, stopAndDrop, type TestKefu } from '../support/harness.ts';

const COUNT = 10_000;

describe('会话记录 and batch export', () => {
  let kefu: TestKefu;
  let admin: Client;
  let agentId: string;
  let range: { from: string; to: string };

  beforeAll(async () => {
    kefu = await startTestKefu();
    admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    agentId = (await createUser(kefu, { email: 'rec-agent@example.com', name: '小王' })).id;
    range = await seedConversations(kefu, COUNT, agentId);
  }, 120_000);
  afterAll(async () => {
    await stopAndDrop(kefu);
  });

  it('counts sessions that reached a human as human, and filters by rating, agent and keyword', async () => {
    const q = `from=${range.from}&to=${range.to}`;
    expect((await admin.get(`/api/records?${q}`)).body.total).toBe(COUNT);
    expect((await admin.get(`/api/records?${q}&type=human`)).body.total).toBe(COUNT / 2);
    expect((await admin.get(`/api/records?${q}&type=bot`)).body.total).toBe(COUNT / 2);
    expect((await admin.get(`/api/records?${q}&agentId=${agentId}&rating=5`)).body.total).toBe(1000);
    const found = await admin.get(`/api/records?${q}&q=${encodeURIComponent('访客1234 的')}`);
    expect(found.body.total).toBe(1);
    expect(found.body.items[0].visitorName).toBe('访客1234');
  });

  it('pages newest first with a cursor and never repeats a row', async () => {
    const q = `from=${range.from}&to=${range.to}&limit=200`;
    const first = await admin.get(`/api/records?${q}`);
    const second = await admin.get(`/api/records?${q}&cursor=${first.body.next}`);
    expect(first.body.items[0].visitorName).toBe(`访客${COUNT}`);
    expect(second.body.items[0].visitorName).toBe(`访客${COUNT - 200}`);
    expect(second.body.total).toBeNull();
    const ids = new Set([...first.body.items, ...second.body.items].map((r: { id: string }) => r.id));
    expect(ids.size).toBe(400);
  });

  it('returns one transcript with its messages, events and rating', async () => {
    const row = (await admin.get(`/api/records?from=${range.from}&to=${range.to}&q=${encodeURIComponent('访客42 的')}`)).body.items[0];
    const detail = await admin.get(`/api/records/${row.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.record.type).toBe('human');
    expect(detail.body.record.rating.score).toBe(3);
    expect(detail.body.record.messages.map((m: { sender: string }) => m.sender)).toEqual(['visitor', 'agent']);
    expect(detail.body.record.messages[1].senderName).toBe('小王');
  });

  it(`exports ${COUNT} conversations to XLSX that reads back with every row`, async () => {
    const result = await exportAndWait(admin, { format: 'xlsx', filters: range });
    console.log(`export of ${COUNT} conversations to XLSX: ${result.seconds.toFixed(2)} s`);
    expect(result.export.status).toBe('done');
    expect(result.export.percent).toBe(100);
    const download = await fetch(kefu.url + result.export.downloadUrl, { headers: { cookie: admin.cookie } });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toMatch(/\.xlsx"$/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await download.arrayBuffer()) as never);
    const summary = workbook.getWorksheet('会话统计')!;
    const messages = workbook.getWorksheet('聊天记录')!;
    expect(summary.actualRowCount).toBe(COUNT + 1);
    expect(messages.actualRowCount).toBe(COUNT * 2 + 1);
    const header = (summary.getRow(1).values as unknown[]).slice(1);
    const visitorCol = header.indexOf('访客') + 1;
    const sample = summary.getRows(2, COUNT)!.find((r) => r.getCell(visitorCol).value === '访客1234')!;
    const cell = (name: string) => sample.getCell(header.indexOf(name) + 1).value;
    expect(cell('类型')).toBe('人工');
    expect(cell('客服')).toBe('小王');
    expect(cell('满意度')).toBe(5);
    expect(cell('消息数')).toBe(2);
    expect(cell('排队等待(秒)')).toBe(34);
    expect(cell('开始时间')).toBe('2025-01-01T20:34:00.000Z');
    const sampleId = cell('会话ID');
    const lines = messages.getRows(2, COUNT * 2)!.filter((r) => r.getCell(1).value === sampleId);
    expect(lines.map((r) => r.getCell(5).value)).toEqual(['订单 访客1234 的问题', '您好，已为您处理']);
  }, 300_000);

  it('exports a filtered CSV with the transcript in a column', async () => {
    const result = await exportAndWait(admin, { format: 'csv', filters: { ...range, type: 'human', rating: 1 } });
    expect(result.export.status).toBe('done');
    const download = await fetch(kefu.url + result.export.downloadUrl, { headers: { cookie: admin.cookie } });
    const rows = parseCsv(await download.text());
    expect(rows).toHaveLength(1 + 1000);
    expect(rows[0].at(-1)).toBe('聊天记录');
    expect(rows[1].at(-1)).toMatch(/访客: 订单 访客\d+ 的问题\n.* 小王: 您好，已为您处理$/);
  }, 120_000);

  it('refuses to download an export that is not finished', async () => {
    const row = await kefu.app.prisma.exportJob.create({ data: { format: 'csv', status: 'running' } });
    const res = await admin.get(`/api/exports/${row.id}/download`);
    expect(res.status).toBe(409);
  });
});
