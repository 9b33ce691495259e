import { DeliveryFailure } from '../connector.ts';

/**
 * The one table of WeCom / Official Account errcodes Kefu reacts to. Decisions are made on the
 * errcode only, never on errmsg. `tokenInvalid` codes make the API clients refresh the access token
 * and retry once; `permanent` decides whether the outbound worker gives up.
 */
export interface ErrcodeInfo {
  /** What the agent reads next to a failed message. */
  reason: string;
  permanent: boolean;
  tokenInvalid?: boolean;
}

export const wechatErrcodes: Readonly<Record<number, ErrcodeInfo>> = {
  [-1]: { reason: '微信系统繁忙，稍后重试', permanent: false },
  40001: { reason: '凭证无效（secret 错误或 access_token 失效）', permanent: false, tokenInvalid: true },
  40003: { reason: '无效的 OpenID，访客可能不属于此公众号', permanent: true },
  40007: { reason: '媒体文件无效或已过期', permanent: true },
  40008: { reason: '不支持的消息类型', permanent: true },
  40009: { reason: '图片大小超出限制', permanent: true },
  40013: { reason: 'CorpID / AppID 无效', permanent: true },
  40014: { reason: 'access_token 无效', permanent: false, tokenInvalid: true },
  40201: { reason: '客服账号因违规被封禁', permanent: true },
  41001: { reason: '缺少 access_token', permanent: false, tokenInvalid: true },
  42001: { reason: 'access_token 已过期', permanent: false, tokenInvalid: true },
  40058: { reason: '请求参数不合法', permanent: true },
  40125: { reason: 'AppSecret 无效', permanent: true },
  45009: { reason: '接口调用超过频率限制，稍后重试', permanent: false },
  45015: { reason: '超出48小时回复窗口', permanent: true },
  45047: { reason: '超出回复条数限制', permanent: true },
  45072: { reason: '输入状态命令无效', permanent: true },
  45080: { reason: '访客30秒内没有互动，无法显示输入状态', permanent: true },
  45081: { reason: '已在显示输入状态', permanent: true },
  48001: { reason: '应用未获得该接口权限', permanent: true },
  48002: { reason: '接口被禁止调用', permanent: true },
  60020: { reason: '服务器 IP 不在企业微信可信 IP 列表中', permanent: true },
  95000: { reason: '无效的客服账号（open_kfid）', permanent: true },
  95001: { reason: '超出5条回复限制，需等待访客再次发消息', permanent: true },
  95004: { reason: '客服账号不存在', permanent: true },
  95011: { reason: '客服账号已在企业微信后台使用，不能通过接口管理', permanent: true },
  95012: { reason: '客服账号未在企业微信使用', permanent: true },
  95014: { reason: '接待人员未激活或不在接待中', permanent: true },
  95017: { reason: '客服账号未开启 API 管理', permanent: true },
  95018: { reason: '会话状态不允许发送（可能已超出48小时或已转人工）', permanent: true },
};

/** A non-zero errcode from a WeChat API, or a transport failure (`errcode` undefined). */
export class WechatApiError extends Error {
  constructor(
    readonly endpoint: string,
    readonly errcode: number | undefined,
    readonly errmsg: string,
    options: { cause?: unknown; stage?: 'token' | 'call' } = {},
  ) {
    super(`${endpoint}: ${errcode === undefined ? 'network' : errcode} ${errmsg}`, options);
    this.name = 'WechatApiError';
    this.stage = options.stage ?? 'call';
  }

  /** `token` when the failure happened while obtaining the access token itself. */
  readonly stage: 'token' | 'call';
}

export function isTokenInvalid(errcode: number | undefined): boolean {
  return errcode !== undefined && wechatErrcodes[errcode]?.tokenInvalid === true;
}

/**
 * Turns anything a send path threw into a `DeliveryFailure`: table codes with their reason, transport
 * errors and unknown server faults as transient, unknown errcodes as permanent with the errcode shown
 * (retrying a refusal the table does not know would only repeat it). A DeliveryFailure passes through.
 */
export function toDeliveryFailure(error: unknown): DeliveryFailure {
  if (error instanceof DeliveryFailure) return error;
  if (error instanceof WechatApiError) {
    if (error.errcode === undefined) return new DeliveryFailure(`网络错误：${error.errmsg}`, false);
    // A credential refusal while fetching the token is a configuration error, not a stale token.
    if (error.stage === 'token' && error.errcode !== -1 && error.errcode !== 45009) {
      return new DeliveryFailure(`获取 access_token 失败（${error.errcode}），请检查渠道的 ID 与 Secret`, true, error.errcode);
    }
    const known = wechatErrcodes[error.errcode];
    if (known) return new DeliveryFailure(known.reason, known.permanent, error.errcode);
    return new DeliveryFailure(`微信接口错误 ${error.errcode}：${error.errmsg}`, true, error.errcode);
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new DeliveryFailure(`发送失败：${detail}`, false);
}
