import { errcode, type PeerReply } from './http-peer.ts';

/**
 * The WeCom peer's kf sessions, one per (open_kfid, external_userid), with the documented states
 * (0 new, 1 API reception, 2 waiting pool, 3 a WeCom servicer, 4 ended / not started), the 48-hour
 * window and the 5-message budget of send_msg, and service_state get / trans.
 *
 * Not documented, so chosen here: 95016 answers a refused transition, following the unverified
 * third-party matrix of the protocol reference (0→1/2/3/4, 1→1/2/3/4, 2→2/3/4, 3→3/4, 4→none);
 * a session whose window has passed reads as state 4 (a session lasts 48 h from the visitor's message).
 */
export interface KfSession {
  state: 0 | 1 | 2 | 3 | 4;
  servicerUserId?: string;
  lastVisitorMessageAt?: number;
  sentSinceVisitorMessage: number;
  /** States 2/3 issue a msg_code only the first time. */
  codesIssuedFor: Set<number>;
}

export const windowMs = 48 * 3600 * 1000;
const quota = 5;
const allowedTransitions: Record<number, readonly number[]> = { 0: [1, 2, 3, 4], 1: [1, 2, 3, 4], 2: [2, 3, 4], 3: [3, 4], 4: [] };

export class KfSessions {
  readonly byKey = new Map<string, KfSession>();

  constructor(
    private readonly now: () => number,
    /** Issues a msg_code for send_msg_on_event, valid `ttlMs`. */
    private readonly issueCode: (externalUserId: string, ttlMs: number) => string,
  ) {}

  get(openKfId: string, externalUserId: string): KfSession {
    const key = `${openKfId}\n${externalUserId}`;
    let session = this.byKey.get(key);
    if (!session) {
      session = { state: 4, sentSinceVisitorMessage: 0, codesIssuedFor: new Set() };
      this.byKey.set(key, session);
    }
    this.#expire(session);
    return session;
  }

  /** A visitor message (origin 3): an ended session starts again in state 0 and the budget reopens. */
  visitorWrote(session: KfSession): void {
    if (session.state === 4) {
      session.state = 0;
      session.codesIssuedFor.clear();
    }
    session.lastVisitorMessageAt = this.now();
    session.sentSinceVisitorMessage = 0;
  }

  /** send_msg's checks; undefined when the message may go (and is counted). */
  claimSend(session: KfSession): PeerReply | undefined {
    if (session.state !== 0 && session.state !== 1) return errcode(95018, 'send msg session status invalid');
    if (session.sentSinceVisitorMessage >= quota) return errcode(95001, 'send msg count limit');
    session.sentSinceVisitorMessage += 1;
    return undefined;
  }

  getState(session: KfSession): PeerReply {
    return { json: { errcode: 0, errmsg: 'ok', service_state: session.state, servicer_userid: session.servicerUserId ?? '' } };
  }

  trans(session: KfSession, externalUserId: string, body: Record<string, unknown>): PeerReply {
    const target = body.service_state;
    if (typeof target !== 'number' || ![0, 1, 2, 3, 4].includes(target)) return errcode(40058, 'invalid service_state');
    if (!allowedTransitions[session.state]!.includes(target)) return errcode(95016, 'invalid state transition');
    if (target === 3 && typeof body.servicer_userid !== 'string') return errcode(95014, 'servicer not receiving');
    const issuesCode = target === 4 || ((target === 2 || target === 3) && !session.codesIssuedFor.has(target));
    session.state = target as KfSession['state'];
    session.servicerUserId = target === 3 ? (body.servicer_userid as string) : undefined;
    if (!issuesCode) return { json: { errcode: 0, errmsg: 'ok' } };
    session.codesIssuedFor.add(target);
    const msgCode = this.issueCode(externalUserId, target === 4 ? 20_000 : windowMs);
    return { json: { errcode: 0, errmsg: 'ok', msg_code: msgCode } };
  }

  #expire(session: KfSession): void {
    if (session.state === 4) return;
    const inWindow = session.lastVisitorMessageAt !== undefined && this.now() - session.lastVisitorMessageAt <= windowMs;
    if (!inWindow) session.state = 4;
  }
}
