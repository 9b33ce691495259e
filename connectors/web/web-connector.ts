import type { Connector } from '../connector.ts';

/**
 * The web widget (PC and H5). Outbound messages reach the visitor through Kefu's own realtime
 * bus and socket, so `send` has nothing left to do; resume-from-cursor covers a dropped socket.
 */
export const webConnector: Connector = {
  type: 'web',
  capabilities: {
    replyWindowHours: null,
    messageQuota: null,
    supportsImages: true,
    supportsMenus: true,
    supportsTyping: true,
    liveQueuePosition: true,
    offlineMessageForm: true,
    deliversOverRealtime: true,
  },
  async send() {
    return {};
  },
};
