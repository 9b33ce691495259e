import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, createUser, startTestKefu, stopAndDrop, type TestKefu } from '../support/harness.ts';

const someId = '00000000-0000-4000-8000-000000000000';

/** Every admin route of the admin console, with a body that would pass validation. */
const adminRoutes: [method: string, path: string, body?: unknown][] = [
  ['GET', '/api/sensitive-words'],
  ['PUT', '/api/sensitive-words', { words: ['x'] }],
  ['POST', '/api/sensitive-words/import', { text: 'x' }],
  ['GET', '/api/sensitive-words/export'],
  ['POST', '/api/quick-reply-categories', { scope: 'public', name: '售后' }],
  ['POST', '/api/quick-reply-categories/reorder', { scope: 'public', ids: [someId] }],
  ['POST', '/api/quick-replies', { scope: 'public', keyword: 'k', content: 'c' }],
  ['POST', '/api/quick-replies/reorder', { scope: 'public', ids: [someId] }],
  ['POST', '/api/quick-replies/import?scope=public&format=json', { text: '[]' }],
  ['GET', '/api/records'],
  ['GET', `/api/records/${someId}`],
  ['GET', '/api/exports'],
  ['POST', '/api/exports', { format: 'csv' }],
  ['GET', `/api/exports/${someId}`],
  ['GET', `/api/exports/${someId}/download`],
  ['GET', '/api/dashboard'],
  ['GET', '/api/audit'],
];

describe('admin routes refuse agents', () => {
  let kefu: TestKefu;
  let agent: Client;
  let admin: Client;
  let anonymous: Client;

  beforeAll(async () => {
    kefu = await startTestKefu();
    await createUser(kefu, { email: 'plain-agent@example.com' });
    agent = new Client(kefu.url);
    await agent.login('plain-agent@example.com', 'agent-password');
    admin = new Client(kefu.url);
    await admin.login(kefu.adminEmail, kefu.adminPassword);
    anonymous = new Client(kefu.url);
  });
  afterAll(async () => {
    await stopAndDrop(kefu);
  });

  it.each(adminRoutes)('%s %s answers 403 to an agent and 401 to nobody', async (method, path, body) => {
    const refused = await agent.request(method, path, body);
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('forbidden');
    expect((await anonymous.request(method, path, body)).status).toBe(401);
  });

  it('changes nothing when an agent is refused', async () => {
    expect(await kefu.app.prisma.quickReply.count({ where: { ownerId: null } })).toBe(0);
    expect(await kefu.app.prisma.setting.count({ where: { key: 'sensitiveWords' } })).toBe(0);
    expect(await kefu.app.prisma.exportJob.count()).toBe(0);
  });

  it('lets an admin through the same routes (the table is not refusing everyone)', async () => {
    expect((await admin.get('/api/dashboard')).status).toBe(200);
    expect((await admin.get('/api/audit')).status).toBe(200);
    expect((await admin.get('/api/records')).status).toBe(200);
    expect((await admin.get('/api/sensitive-words')).status).toBe(200);
  });

  it('declares every route in the table as admin in the OpenAPI document', async () => {
    const doc = (await admin.get('/api/openapi.json')).body;
    for (const [method, path] of adminRoutes) {
      const template = path.split('?')[0].replace(someId, '{id}');
      const operation = doc.paths[template]?.[method.toLowerCase()];
      expect(operation?.['x-kefu-access'], `${method} ${template}`).toBeDefined();
    }
  });
});
