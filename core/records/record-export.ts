import type { RecordSummary, TranscriptLine } from './record-query.ts';

/** Column of an export sheet: header (zh-CN, what admins read) and the value of a row. */
export interface ExportColumn<T> {
  header: string;
  width: number;
  value: (row: T) => string | number | null;
}

const statusNames: Record<RecordSummary['status'], string> = { bot: '机器人接待', queued: '排队中', assigned: '人工接待', closed: '已结束' };
const senderNames: Record<TranscriptLine['sender'], string> = { visitor: '访客', bot: '机器人', agent: '客服', system: '系统' };

function seconds(from: string | null, to: string | null): number | null {
  if (!from || !to) return null;
  return Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000));
}

/** 会话统计: one row per conversation. */
export const summaryColumns: ExportColumn<RecordSummary>[] = [
  { header: '会话ID', width: 38, value: (r) => r.id },
  { header: '类型', width: 8, value: (r) => (r.type === 'human' ? '人工' : '机器人') },
  { header: '状态', width: 10, value: (r) => statusNames[r.status] },
  { header: '渠道', width: 14, value: (r) => r.channelName },
  { header: '访客', width: 16, value: (r) => r.visitorName ?? r.visitorId },
  { header: '客服', width: 12, value: (r) => r.agentName },
  { header: '开始时间', width: 22, value: (r) => r.createdAt },
  { header: '结束时间', width: 22, value: (r) => r.closedAt },
  { header: '排队等待(秒)', width: 12, value: (r) => seconds(r.queuedAt, r.assignedAt) },
  { header: '首次响应(秒)', width: 12, value: (r) => seconds(r.assignedAt ?? r.createdAt, r.firstResponseAt) },
  { header: '消息数', width: 8, value: (r) => r.messageCount },
  { header: '满意度', width: 8, value: (r) => r.rating },
  { header: '评价内容', width: 24, value: (r) => r.ratingComment },
  { header: '结束原因', width: 14, value: (r) => r.closeReason },
];

/** 聊天记录: one row per message. */
export const transcriptColumns: ExportColumn<TranscriptLine>[] = [
  { header: '会话ID', width: 38, value: (m) => m.conversationId },
  { header: '时间', width: 22, value: (m) => m.createdAt },
  { header: '发送方', width: 8, value: (m) => senderNames[m.sender] },
  { header: '名称', width: 12, value: (m) => m.senderName },
  { header: '内容', width: 60, value: (m) => transcriptText(m) },
];

/** What a message shows in an export: its text, or the image link, or `[kind]`. */
export function transcriptText(line: Pick<TranscriptLine, 'kind' | 'content' | 'mediaUrl'>): string {
  if (line.kind === 'image') return line.mediaUrl ? `[图片] ${line.mediaUrl}` : '[图片]';
  return line.content ?? `[${line.kind}]`;
}

/** A transcript as one text cell of the CSV export: `time sender: text` per line. */
export function formatTranscript(lines: TranscriptLine[]): string {
  return lines.map((m) => `${m.createdAt} ${m.senderName ?? senderNames[m.sender]}: ${transcriptText(m)}`).join('\n');
}

export function rowValues<T>(columns: ExportColumn<T>[], row: T): (string | number | null)[] {
  return columns.map((c) => c.value(row));
}
