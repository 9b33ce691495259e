import fs from 'node:fs/promises';
import path from 'node:path';
import type { Wechaty } from 'wechaty';
import type { Config } from './config.ts';
import type { ChannelType, Connector } from '../connectors/connector.ts';
import { webConnector } from '../connectors/web/web-connector.ts';
import { createFetchMediaLoader, type MediaLoader } from '../connectors/wechat-common/media-loader.ts';
import type { TokenCache } from '../connectors/wechat-common/token-cache.ts';
import { MpConnector } from '../connectors/wechat-mp/mp-connector.ts';
import { WechatyConnector } from '../connectors/wechaty/wechaty-connector.ts';
import { WecomConnector } from '../connectors/wecom/wecom-connector.ts';

export type ConnectorRegistry = Map<ChannelType, Connector>;

/** Every channel's connector, by type; the WeChat family joins through `addWechatConnectors`. */
export function connectorRegistry(): ConnectorRegistry {
  return new Map<ChannelType, Connector>([['web', webConnector]]);
}

export interface WechatConnectorDeps {
  config: Pick<Config, 'wecomApiBase' | 'wechatMpApiBase' | 'uploadDir'>;
  /** Shared access tokens (Redis when configured). */
  tokenCache: TokenCache;
  /** The running Wechaty bot of a channel in this process. */
  botOf(channelId: string): Wechaty | undefined;
}

/** Adds the WeCom, Official Account and Wechaty connectors, configured from `config`. */
export function addWechatConnectors(registry: ConnectorRegistry, deps: WechatConnectorDeps) {
  const loadMedia = createUploadMediaLoader(deps.config.uploadDir);
  const wecom = new WecomConnector({ tokenCache: deps.tokenCache, apiBase: deps.config.wecomApiBase, loadMedia });
  const mp = new MpConnector({ tokenCache: deps.tokenCache, apiBase: deps.config.wechatMpApiBase, loadMedia });
  const wechaty = new WechatyConnector({ botOf: deps.botOf, uploadDir: deps.config.uploadDir });
  registry.set('wecom', wecom);
  registry.set('wechat_mp', mp);
  registry.set('wechaty', wechaty);
  return { wecom, mp, wechaty };
}

const mimeTypes: Record<string, string> = { '.png': 'image/png', '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp' };

/** Reads Kefu's own `/uploads/…` files from disk; absolute URLs are fetched. */
export function createUploadMediaLoader(uploadDir: string): MediaLoader {
  const fetchLoader = createFetchMediaLoader();
  const root = path.resolve(uploadDir);
  return async (url, mimeType) => {
    if (!url.startsWith('/uploads/')) return fetchLoader(url, mimeType);
    const file = path.resolve(root, url.slice('/uploads/'.length));
    if (!file.startsWith(root + path.sep)) throw new Error('media path outside the upload folder');
    const data = new Uint8Array(await fs.readFile(file));
    return { data, filename: path.basename(file), mimeType: mimeType ?? mimeTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream' };
  };
}
