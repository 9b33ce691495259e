import { describe, expect, it } from 'vitest';
import { formatTranscript, rowValues, summaryColumns } from './record-export.ts';
import type { RecordSummary } from './record-query.ts';

const summary: RecordSummary = {
  id: 'c1',
  createdAt: '2025-03-01T10:00:00.000Z',
  closedAt: '2025-03-01T10:30:00.000Z',
  queuedAt: '2025-03-01T10:01:00.000Z',
  assignedAt: '2025-03-01T10:02:30.000Z',
  firstResponseAt: '2025-03-01T10:03:00.000Z',
  status: 'closed',
  type: 'human',
  closeReason: 'agent',
  channelId: 'ch',
  channelName: '官网',
  channelType: 'web',
  visitorId: 'v1',
  visitorName: null,
  agentId: 'a1',
  agentName: '小王',
  rating: 5,
  ratingComment: '很好',
  messageCount: 12,
};

describe('summaryColumns', () => {
  it('derives queue wait and first response in seconds', () => {
    const values = rowValues(summaryColumns, summary);
    const header = summaryColumns.map((c) => c.header);
    expect(values[header.indexOf('排队等待(秒)')]).toBe(90);
    expect(values[header.indexOf('首次响应(秒)')]).toBe(30);
    expect(values[header.indexOf('访客')]).toBe('v1');
    expect(values[header.indexOf('类型')]).toBe('人工');
  });
});

describe('formatTranscript()', () => {
  it('writes one line per message with the sender and images as links', () => {
    const text = formatTranscript([
      { conversationId: 'c1', createdAt: 't1', sender: 'visitor', senderName: null, kind: 'text', content: '你好', mediaUrl: null },
      { conversationId: 'c1', createdAt: 't2', sender: 'agent', senderName: '小王', kind: 'image', content: null, mediaUrl: '/u/a.png' },
    ]);
    expect(text).toBe('t1 访客: 你好\nt2 小王: [图片] /u/a.png');
  });
});
