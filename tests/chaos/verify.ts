import type { WechatMpPeer } from '../peers/wechat-mp-peer.ts';
import type { WecomPeer } from '../peers/wecom-peer.ts';
import type { Sent, Visitor } from './actors.ts';
import type { ChaosDb, ResumingSocket } from './client.ts';

export interface Verdict {
  chaos_sent: number;
  chaos_accepted: number;
  chaos_refused: number;
  /** Accepted replies the channel's own limit refused afterwards (marked failed with the reason, shown to the agent). */
  chaos_refused_by_channel: number;
  chaos_unacknowledged: number;
  chaos_stored: number;
  chaos_delivered: number;
  chaos_lost: number;
  chaos_lost_stored: number;
  chaos_lost_delivery: number;
  chaos_duplicated: number;
  chaos_duplicated_stored: number;
  chaos_duplicated_delivery: number;
  chaos_out_of_order: number;
  /** Official Account sends repeated because a worker died between WeChat's answer and the database mark (no msgid there). */
  chaos_oa_resent: number;
  /** Identical message frames a socket got twice (replay after a reconnect); the client keeps each id once. */
  chaos_socket_repeats: number;
  /** Socket messages that arrived after a later message of their conversation (placed by seq on screen). */
  chaos_socket_late: number;
  chaos_outbound_pending: number;
  chaos_outbound_failed: number;
}

interface StoredRow {
  content: string;
  id: string;
  seq: string;
  conversation_id: string;
  at: string;
  delivery_status: string;
  failure_reason: string | null;
}

/** Counts one inversion per element that comes after a larger one. */
function inversions(values: number[]): number {
  let max = -Infinity;
  let count = 0;
  for (const v of values) {
    if (v < max) count++;
    else max = v;
  }
  return count;
}

/** Messages a socket received after a message of the same conversation with a higher seq. */
function lateArrivals(socket: ResumingSocket): number {
  const highest = new Map<string, number>();
  let late = 0;
  for (const id of socket.order) {
    const r = socket.received.get(id)!;
    const top = highest.get(r.conversationId) ?? -1;
    if (r.seq < top) late++;
    else highest.set(r.conversationId, r.seq);
  }
  return late;
}

/**
 * What happened to every message: stored once (by its unique text), delivered once to its recipient
 * (the admin console socket for visitor messages; the widget socket, WeCom or the Official Account for
 * agent replies) and in order within each conversation.
 */
export async function verify(input: {
  ledger: Sent[];
  visitors: Visitor[];
  observer: ResumingSocket;
  db: ChaosDb;
  wecom: WecomPeer;
  oa: WechatMpPeer;
  outboundChannelIds: string[];
  /** Receives a line for each problem found. */
  problems?: string[];
}): Promise<Verdict> {
  const problems = input.problems ?? [];
  const { ledger, visitors, observer, db, wecom, oa } = input;
  const accepted = ledger.filter((s) => s.acked);
  const rows = await db.query<StoredRow>(`SELECT content, id, seq::text AS seq, conversation_id, to_char(created_at, 'HH24:MI:SS.MS') AS at, delivery_status, failure_reason FROM messages WHERE content = ANY($1::text[])`, [ledger.map((s) => s.text)]);
  const byText = new Map<string, StoredRow[]>();
  for (const row of rows) byText.set(row.content, [...(byText.get(row.content) ?? []), row]);

  let lostStored = 0;
  let dupStored = 0;
  let stored = 0;
  for (const s of accepted) {
    const found = byText.get(s.text)?.length ?? 0;
    if (found === 0) (lostStored++, problems.push(`not stored: ${s.kind} ${s.from} ${s.text}`));
    else stored++;
    if (found > 1) (dupStored++, problems.push(`stored ${found} times: ${s.kind} ${s.from} ${s.text}`));
  }

  // Stored order: each visitor's own messages, and the agent's replies to it, keep their send order.
  let outOfOrder = 0;
  const streams = new Map<string, Sent[]>();
  for (const s of accepted) streams.set(`${s.kind}/${s.visitor}/${s.from}`, [...(streams.get(`${s.kind}/${s.visitor}/${s.from}`) ?? []), s]);
  for (const [key, stream] of streams) {
    const n = inversions(stream.map((s) => byText.get(s.text)?.[0]).filter(Boolean).map((r) => Number(r!.seq)));
    if (n) problems.push(`stored out of order: ${key} (${n})`);
    outOfOrder += n;
  }

  // Deliveries.
  const wecomSent = new Map<string, number>();
  const wecomOrder = new Map<string, string[]>();
  for (const item of wecom.sent) {
    const text = (item.body.text as { content?: string } | undefined)?.content;
    if (!text) continue;
    wecomSent.set(text, (wecomSent.get(text) ?? 0) + 1);
    const user = String(item.body.touser);
    wecomOrder.set(user, [...(wecomOrder.get(user) ?? []), text]);
  }
  const oaSent = new Map<string, number>();
  const oaOrder = new Map<string, string[]>();
  for (const item of oa.sent) {
    const text = (item.body.text as { content?: string } | undefined)?.content;
    if (!text) continue;
    oaSent.set(text, (oaSent.get(text) ?? 0) + 1);
    oaOrder.set(item.touser, [...(oaOrder.get(item.touser) ?? []), text]);
  }
  const visitorByName = new Map(visitors.map((v) => [`${v.kind}/${v.name}`, v]));

  let delivered = 0;
  let lostDelivery = 0;
  let dupDelivery = 0;
  let oaResent = 0;
  let channelRefused = 0;
  for (const s of accepted) {
    const row = byText.get(s.text)?.[0];
    if (!row) continue;
    // The channel's own rule (WeCom's 5 replies per visitor message) refused it, visibly to the agent.
    if (row.delivery_status === 'failed' && row.failure_reason && /限制/.test(row.failure_reason)) {
      channelRefused++;
      continue;
    }
    let times: number;
    if (s.from === 'visitor') times = observer.received.has(row.id) ? 1 : 0;
    else if (s.kind === 'web') times = visitorByName.get(`web/${s.visitor}`)?.socket?.received.has(row.id) ? 1 : 0;
    else if (s.kind === 'wecom') times = wecomSent.get(s.text) ?? 0;
    else times = oaSent.get(s.text) ?? 0;
    if (times === 0) (lostDelivery++, problems.push(`not delivered: ${s.kind} ${s.from} ${s.text} seq ${row.seq} at ${row.at} ${row.delivery_status} ${row.failure_reason ?? ''}`));
    else delivered++;
    if (times > 1 && s.kind === 'oa') oaResent += times - 1;
    else if (times > 1) (dupDelivery++, problems.push(`delivered ${times} times: ${s.kind} ${s.from} ${s.text}`));
  }

  // Delivery order per recipient: WeCom and the Official Account show replies in arrival order, so they
  // must arrive in the order the agent sent them. Sockets carry each message's seq and the console and
  // widget place messages by it: a message that arrives after a later one (typically a replay after a
  // reconnect) is counted apart as late, not out of order.
  let late = 0;
  for (const visitor of visitors) {
    if (visitor.kind === 'web') {
      if (visitor.socket) late += lateArrivals(visitor.socket);
      continue;
    }
    const replies = accepted.filter((s) => s.from === 'agent' && s.visitor === visitor.name && s.kind === visitor.kind).map((s) => s.text);
    const rank = new Map(replies.map((text, i) => [text, i]));
    const received = (visitor.kind === 'wecom' ? wecomOrder.get(visitor.name) : oaOrder.get(visitor.name)) ?? [];
    const firsts = [...new Set(received.filter((t) => rank.has(t)))];
    const n = inversions(firsts.map((t) => rank.get(t)!));
    if (n) problems.push(`replies delivered out of order: ${visitor.kind}/${visitor.name} (${n})`);
    outOfOrder += n;
  }
  late += lateArrivals(observer);

  const [outbound] = await db.query<{ pending: string; failed: string }>(
    `SELECT count(*) FILTER (WHERE delivery_status = 'pending')::text AS pending, count(*) FILTER (WHERE delivery_status = 'failed')::text AS failed
       FROM messages WHERE channel_id = ANY($1::uuid[]) AND sender <> 'visitor' AND kind <> 'event'`,
    [input.outboundChannelIds],
  );
  const sockets = [observer, ...visitors.map((v) => v.socket).filter((s): s is ResumingSocket => !!s)];
  return {
    chaos_sent: ledger.length,
    chaos_accepted: accepted.length,
    chaos_refused: ledger.filter((s) => !s.acked && s.refused).length,
    chaos_refused_by_channel: channelRefused,
    chaos_unacknowledged: ledger.filter((s) => !s.acked && !s.refused).length,
    chaos_stored: stored,
    chaos_delivered: delivered,
    chaos_lost: lostStored + lostDelivery,
    chaos_lost_stored: lostStored,
    chaos_lost_delivery: lostDelivery,
    chaos_duplicated: dupStored + dupDelivery,
    chaos_duplicated_stored: dupStored,
    chaos_duplicated_delivery: dupDelivery,
    chaos_out_of_order: outOfOrder,
    chaos_oa_resent: oaResent,
    chaos_socket_repeats: sockets.reduce((n, s) => n + s.repeats, 0),
    chaos_socket_late: late,
    chaos_outbound_pending: Number(outbound?.pending ?? 0),
    chaos_outbound_failed: Number(outbound?.failed ?? 0),
  };
}
