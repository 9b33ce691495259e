import { describe, expect, it } from 'vitest';
import { pageFor, routeOf, workbenchPath } from './routes.ts';

describe('routeOf', () => {
  it('keeps a known admin page and drops a trailing slash', () => {
    expect(routeOf('/console/admin/channels/')).toBe('/console/admin/channels');
  });

  it('sends unknown paths and the old 客服账号 address to their pages', () => {
    expect(routeOf('/console/whatever')).toBe(workbenchPath);
    expect(routeOf('/')).toBe(workbenchPath);
    expect(routeOf('/console/agents')).toBe('/console/admin/agents');
  });
});

describe('pageFor', () => {
  it('opens admin-only pages for admins only', () => {
    expect(pageFor('/console/admin/human-service', 'admin')?.tag).toBe('kf-human-service-page');
    expect(pageFor('/console/admin/human-service', 'agent')).toBeUndefined();
  });

  it('opens 快捷回复 and 留言 for agents', () => {
    expect(pageFor('/console/admin/quick-replies', 'agent')?.tag).toBe('kf-quick-replies-page');
    expect(pageFor('/console/admin/offline-messages', 'agent')?.tag).toBe('kf-offline-messages-page');
    expect(pageFor(workbenchPath, 'agent')).toBeUndefined();
  });
});
