import { describe, expect, it } from 'vitest';
import { setLocale } from '../i18n/i18n.ts';
import { adminPageFor, adminPages, adminPagesFor } from './admin-pages.ts';

describe('adminPages', () => {
  it('gives every page a unique kf- tag and path', () => {
    expect(new Set(adminPages.map((p) => p.tag)).size).toBe(adminPages.length);
    expect(new Set(adminPages.map((p) => p.path)).size).toBe(adminPages.length);
    for (const page of adminPages) expect(page.tag).toMatch(/^kf-[a-z-]+-page$/);
  });

  it('finds a page by path with or without a trailing slash', () => {
    expect(adminPageFor('/console/admin/records/')?.tag).toBe('kf-records-page');
    expect(adminPageFor('/console/admin/nope')).toBeUndefined();
  });

  it('titles follow the console locale', () => {
    const records = adminPageFor('/console/admin/records')!;
    expect(records.title()).toBe('会话记录');
    setLocale('en');
    expect(records.title()).toBe('Session records');
    setLocale('zh-CN');
  });

  it('offers 快捷回复 and 留言 to agents and keeps the rest for admins', () => {
    expect(adminPages.filter((p) => !p.adminOnly).map((p) => p.tag)).toEqual(['kf-quick-replies-page', 'kf-offline-messages-page']);
  });

  it('lists every admin menu entry in order and only the shared pages for agents', () => {
    expect(adminPagesFor('admin').map((p) => p.title())).toEqual([
      '人工客服设置', '会话设置', '渠道管理', '知识库', '快捷回复语料', '留言回复', '会话记录', '数据看板', '客服账号', '审计日志',
    ]);
    expect(adminPagesFor('agent').map((p) => p.title())).toEqual(['快捷回复语料', '留言回复']);
  });
});
