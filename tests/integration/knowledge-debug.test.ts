import crypto from 'node:crypto';
import { it, expect } from 'vitest';
import { features } from '../../app/features.ts';
import { routingFeature } from '../../workers/routing-feature.ts';
if (process.env.KB_OFF) { const i = features.findIndex((f) => f.name === 'knowledge'); features.splice(i, 2, routingFeature()); console.log(features.map((f) => f.name)); }
import { Client, startTestKefu } from '../support/harness.ts';
import { conversationOf, eventually, newChannel, newVisitor, onlyAgents, say } from './routing-support.ts';

it('debug', async () => {
  const kefu = await startTestKefu();
  const ch = await newChannel(kefu, { botEnabled: true, transferAfterMisses: 5 });
  const [agentRow] = await onlyAgents(kefu, [{ name: 'kb' }]);
  const agent = new Client(kefu.url);
  await agent.login(agentRow.email, 'agent-password');
  const { visitor } = await newVisitor(kefu, ch);
  const id = await say(visitor, '转人工');
  console.log('said');
  await eventually(async () => {
    const current = await conversationOf(kefu, id);
    if (current.status === 'queued') console.log('pick', (await agent.post(`/api/conversations/${id}/pick`)).status);
    return current.status === 'assigned';
  });
  console.log('assigned');
  await say(visitor, '你们支持花呗分期付款吗');
  console.log('visitor said');
  const t = Date.now();
  const r = await agent.post(`/api/conversations/${id}/messages`, { clientMessageId: crypto.randomUUID(), kind: 'text', text: '支持的' });
  console.log('agent reply', r.status, Date.now() - t);
  const t2 = Date.now();
  const stop = kefu.stop();
  await stop;
  console.log('stopped', Date.now() - t2);
  expect(r.status).toBe(201);
}, 120_000);
