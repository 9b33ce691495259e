import crypto from 'node:crypto';
import type { WechatMpPeer } from '../peers/wechat-mp-peer.ts';
import type { WecomPeer } from '../peers/wecom-peer.ts';
import { request, ResumingSocket, type ChaosDb } from './client.ts';
import { sleep } from './services.ts';

export type ChannelKind = 'web' | 'wecom' | 'oa';

/** One message a visitor or an agent tried to send, and whether Kefu acknowledged it. */
export interface Sent {
  kind: ChannelKind;
  /** The visitor (web: its stream name; WeCom: external_userid; OA: openid). */
  visitor: string;
  from: 'visitor' | 'agent';
  text: string;
  acked: boolean;
  /** A final refusal (e.g. the channel's reply quota), not a loss. */
  refused?: string;
  conversationId?: string;
}

export interface World {
  urls: () => string[];
  db: ChaosDb;
  wecom: WecomPeer;
  oa: WechatMpPeer;
  wecomChannelId: string;
  oaChannelId: string;
  webChannelId: string;
  /** Agent sessions by user id. */
  agents: Map<string, { cookie: string }>;
  ledger: Sent[];
  /** Gives the next send its slot (global rate). */
  pace: () => Promise<void>;
  deadlineMs: number;
  replyShare: number;
  random: () => number;
}

/** A visitor's stream of messages, one at a time: the next is sent once the previous one is acknowledged. */
export abstract class Visitor {
  replies: Promise<void> = Promise.resolve();
  conversationId?: string;
  socket?: ResumingSocket;

  constructor(
    protected readonly world: World,
    readonly kind: ChannelKind,
    readonly name: string,
  ) {}

  abstract setup(): Promise<void>;
  protected abstract deliver(sent: Sent, index: number): Promise<boolean>;

  async run(count: number, label: string): Promise<void> {
    for (let i = 0; i < count; i++) {
      await this.world.pace();
      const sent: Sent = { kind: this.kind, visitor: this.name, from: 'visitor', text: `${label}-${i}-${crypto.randomBytes(3).toString('hex')}`, acked: false };
      this.world.ledger.push(sent);
      sent.acked = await this.deliver(sent, i);
      if (!sent.acked) continue;
      if (this.world.random() < this.world.replyShare) this.queueReply(`${label}-${i}`);
    }
  }

  /** Agent replies of one conversation go out one after another, like a person typing. */
  private queueReply(label: string): void {
    this.replies = this.replies.then(() => agentReply(this.world, this, `reply-${label}-${crypto.randomBytes(3).toString('hex')}`));
  }

  /** The open conversation of this visitor, from the database (WeCom and OA messages are stored asynchronously). */
  async findConversation(deadline: number): Promise<string | undefined> {
    if (this.conversationId) return this.conversationId;
    const channelId = this.kind === 'wecom' ? this.world.wecomChannelId : this.world.oaChannelId;
    while (Date.now() < deadline) {
      const rows = await this.world.db.query<{ id: string }>(
        `SELECT c.id FROM conversations c JOIN visitors v ON v.id = c.visitor_id WHERE v.channel_id = $1 AND v.external_id = $2 AND c.status <> 'closed'`,
        [channelId, this.name],
        deadline,
      );
      if (rows[0]) return (this.conversationId = rows[0].id);
      await sleep(250);
    }
    return undefined;
  }
}

export class WebVisitor extends Visitor {
  private token = '';

  async setup(): Promise<void> {
    const res = await request(this.world.urls, 'POST', '/api/widget/session', { channelId: this.world.webChannelId }, {}, Date.now() + this.world.deadlineMs);
    if (!res || res.status >= 300) throw new Error(`widget session refused: ${res?.status}`);
    this.token = res.body.visitorToken;
  }

  protected async deliver(sent: Sent): Promise<boolean> {
    const body = { clientMessageId: crypto.randomUUID(), kind: 'text', text: sent.text };
    const res = await request(this.world.urls, 'POST', '/api/widget/messages', body, { authorization: `Bearer ${this.token}` }, Date.now() + this.world.deadlineMs);
    if (!res || res.status >= 300) {
      if (res) sent.refused = `${res.status} ${JSON.stringify(res.body).slice(0, 200)}`;
      return false;
    }
    this.conversationId = res.body.message.conversationId;
    sent.conversationId = this.conversationId;
    if (!this.socket) {
      // The widget's socket: registered once the visitor exists, resuming from the start of its history.
      this.socket = new ResumingSocket(this.world.urls, '/ws/visitor', { token: this.token }, {}, 1);
      await this.socket.open();
    }
    return true;
  }
}

export class WecomVisitor extends Visitor {
  async setup(): Promise<void> {}

  protected async deliver(sent: Sent): Promise<boolean> {
    const { wecom } = this.world;
    wecom.advance(Math.max(0, Date.now() - wecom.now()));
    // The message now sits in WeCom; the notice is what Kefu acknowledges, and WeCom repeats it until it does.
    const { syncToken } = wecom.pushVisitorText(this.name, sent.text);
    const path = `/connectors/wecom/${this.world.wecomChannelId}/callback`;
    const deadline = Date.now() + this.world.deadlineMs;
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      wecom.advance(Math.max(0, Date.now() - wecom.now()));
      const { query, body } = wecom.buildCallback(syncToken);
      const res = await request(this.world.urls, 'POST', `${path}?${new URLSearchParams(query)}`, body, { 'content-type': 'text/xml' }, Date.now() + 10_000);
      if (res?.status === 200 && res.body === 'success') return true;
      await sleep(200);
    }
    return false;
  }
}

let mpMsgId = BigInt(Date.now()) * 1000n;

export class OaVisitor extends Visitor {
  async setup(): Promise<void> {}

  protected async deliver(sent: Sent): Promise<boolean> {
    const { oa } = this.world;
    const msgId = ++mpMsgId;
    const path = `/connectors/wechat-mp/${this.world.oaChannelId}/callback`;
    const deadline = Date.now() + this.world.deadlineMs;
    oa.advance(Math.max(0, Date.now() - oa.now()));
    oa.recordInteraction(this.name);
    for (let attempt = 0; Date.now() < deadline; attempt++) {
      oa.advance(Math.max(0, Date.now() - oa.now()));
      // WeChat repeats an unanswered callback with the same MsgId.
      const { query, body } = oa.buildCallback('plain', { FromUserName: this.name, MsgType: 'text', Content: sent.text, MsgId: msgId });
      const res = await request(this.world.urls, 'POST', `${path}?${new URLSearchParams(query)}`, body, { 'content-type': 'text/xml' }, Date.now() + 10_000);
      if (res?.status === 200 && res.body === 'success') return true;
      await sleep(200);
    }
    return false;
  }
}

/** The assigned agent answers the visitor's conversation, resending with the same client message id until acknowledged. */
async function agentReply(world: World, visitor: Visitor, text: string): Promise<void> {
  const sent: Sent = { kind: visitor.kind, visitor: visitor.name, from: 'agent', text, acked: false };
  world.ledger.push(sent);
  const deadline = Date.now() + world.deadlineMs;
  const conversationId = await visitor.findConversation(deadline);
  if (!conversationId) return;
  sent.conversationId = conversationId;
  const body = { clientMessageId: crypto.randomUUID(), kind: 'text', text };
  while (Date.now() < deadline) {
    const [row] = await world.db.query<{ assignee_id: string | null; status: string }>(`SELECT assignee_id, status FROM conversations WHERE id = $1`, [conversationId], deadline);
    if (!row || row.status === 'closed') {
      sent.refused = 'conversation closed';
      return;
    }
    const agent = row.assignee_id ? world.agents.get(row.assignee_id) : undefined;
    if (!agent) {
      await sleep(300);
      continue;
    }
    const res = await request(world.urls, 'POST', `/api/conversations/${conversationId}/messages`, body, { cookie: agent.cookie }, deadline);
    if (res && res.status < 300) {
      sent.acked = true;
      return;
    }
    if (res?.status === 422) {
      sent.refused = `422 ${res.body?.error?.code}`;
      return;
    }
    await sleep(300);
  }
}
