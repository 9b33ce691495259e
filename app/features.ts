import type { AppContext } from '../console/server/app-context.ts';
import type { DomainEvent } from '../core/conversation/events.ts';
import type { ConversationStore } from '../core/conversation/store.ts';
import type { JobQueues } from '../infra/job-queue.ts';
import { routingFeature } from '../workers/routing-feature.ts';
import { channelsFeature } from '../connectors/channels-feature.ts';
import type { ConnectorRegistry } from './connectors.ts';
import { adminFeature } from './admin-feature.ts';
import { operationsFeature } from './operations-feature.ts';
import { knowledgeBot, knowledgeFeature } from './knowledge-feature.ts';

export interface FeatureContext {
  app: AppContext;
  jobs: JobQueues;
  store: ConversationStore;
  connectors: ConnectorRegistry;
  /** React to domain events emitted in this process (e.g. enqueue assignment after a hand-off). */
  onEvent(listener: (event: DomainEvent) => void | Promise<void>): void;
  role: 'all' | 'api' | 'worker';
}

/** A product area wired into the composition root: its routes, job handlers and event reactions. */
export interface Feature {
  name: string;
  install(ctx: FeatureContext): Promise<{ close?: () => Promise<void> } | void>;
}

/** Installed in order at start-up. */
export const features: Feature[] = [adminFeature, knowledgeFeature, routingFeature({ bot: knowledgeBot }), channelsFeature, operationsFeature];
