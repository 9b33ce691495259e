import type { ChannelType, Connector } from '../connectors/connector.ts';
import { webConnector } from '../connectors/web/web-connector.ts';

export type ConnectorRegistry = Map<ChannelType, Connector>;

/** Every channel's connector, by type. */
export function connectorRegistry(): ConnectorRegistry {
  return new Map<ChannelType, Connector>([['web', webConnector]]);
}
