import { DeliveryFailure } from '../connector.ts';
import { toDeliveryFailure, WechatApiError } from '../wechat-common/errcodes.ts';
import type { WecomApiClient } from './api-client.ts';

/** One WeCom kf session: a visitor of a kf account of a channel. */
export interface KfSessionKey {
  channelId: string;
  openKfId: string;
  externalUserId: string;
}

/** Reasons the agent reads when WeCom's session state forbids an API send. */
export const kfSessionReasons = {
  servicer: (servicerUserId?: string) =>
    `该会话正由企业微信客服人员接待${servicerUserId ? `（${servicerUserId}）` : ''}，无法通过接口发送`,
  pool: (errcode?: number) => `该会话正在企业微信待接入池排队，无法转为接口接待${errcode !== undefined ? `（${errcode}）` : ''}`,
  ended: '企业微信会话已结束，需等待访客再次发消息',
} as const;

/** errcode of send_msg when the session state (or the 48 h window) does not allow API sends. */
export const sessionStateErrcode = 95018;

/**
 * Remembers for a short while which kf sessions were seen in state 1 (API reception), so not every
 * message costs a service_state/get. Only "state 1" is remembered; anything else is asked again.
 * Per process: another process moving the session is noticed by send_msg's 95018, which forgets it.
 */
export class KfSessionStates {
  readonly #apiOwned = new Map<string, number>();
  readonly #pending = new Map<string, Promise<void>>();

  constructor(
    private readonly ttlMs = 180_000,
    private readonly now: () => number = Date.now,
  ) {}

  isApiOwned(key: KfSessionKey): boolean {
    const id = keyOf(key);
    const until = this.#apiOwned.get(id);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.#apiOwned.delete(id);
    return false;
  }

  remember(key: KfSessionKey): void {
    const id = keyOf(key);
    this.#apiOwned.delete(id);
    this.#apiOwned.set(id, this.now() + this.ttlMs);
    if (this.#apiOwned.size > 10_000) this.#apiOwned.delete(this.#apiOwned.keys().next().value!);
  }

  forget(key: KfSessionKey): void {
    this.#apiOwned.delete(keyOf(key));
  }

  /**
   * Makes sure the session allows API sends, moving it to state 1 when WeCom permits: 0 (new) and
   * 2 (waiting pool) are moved with service_state/trans; 3 (a WeCom member serves the visitor) and
   * 4 (ended, which the API cannot change) refuse with a permanent `DeliveryFailure`. Returns true
   * when the answer came from memory (a 95018 then means it is stale). Concurrent calls for the same
   * session share one round trip.
   */
  async ensureApiOwned(client: WecomApiClient, key: KfSessionKey): Promise<boolean> {
    if (this.isApiOwned(key)) return true;
    const id = keyOf(key);
    let pending = this.#pending.get(id);
    if (!pending) {
      pending = this.#check(client, key).finally(() => this.#pending.delete(id));
      this.#pending.set(id, pending);
    }
    await pending;
    return false;
  }

  async #check(client: WecomApiClient, key: KfSessionKey): Promise<void> {
    const session = { openKfId: key.openKfId, externalUserId: key.externalUserId };
    const current = await client.getServiceState(session).catch((error: unknown) => {
      throw toDeliveryFailure(error);
    });
    switch (current.serviceState) {
      case 1:
        break;
      case 3:
        throw new DeliveryFailure(kfSessionReasons.servicer(current.servicerUserId), true);
      case 4:
        throw new DeliveryFailure(kfSessionReasons.ended, true);
      case 0:
      case 2:
        await client.transServiceState({ ...session, serviceState: 1 }).catch((error: unknown) => {
          const failure = toDeliveryFailure(error);
          if (current.serviceState !== 2 || !failure.permanent) throw failure;
          // WeCom documents pool → servicer only; a refused pool → API move is the servicers' chat.
          throw new DeliveryFailure(kfSessionReasons.pool(error instanceof WechatApiError ? error.errcode : undefined), true, failure.channelCode);
        });
        break;
    }
    this.remember(key);
  }
}

/** True for send_msg's refusal because of the session state. */
export function isSessionStateRefusal(error: unknown): boolean {
  return (error instanceof WechatApiError || error instanceof DeliveryFailure) && readCode(error) === sessionStateErrcode;
}

function readCode(error: WechatApiError | DeliveryFailure): number | string | undefined {
  return error instanceof WechatApiError ? error.errcode : error.channelCode;
}

function keyOf(key: KfSessionKey): string {
  return `${key.channelId}\n${key.openKfId}\n${key.externalUserId}`;
}
