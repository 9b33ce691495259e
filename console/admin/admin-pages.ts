import { at } from './admin-strings.ts';

/**
 * The admin pages the console shell mounts. Each page is a custom element that loads its own data;
 * `load()` defines the element (lazy chunk) and the shell then renders `<tag>`. `adminOnly` pages
 * must not be offered to agents (the server refuses them anyway); 快捷回复 and 留言 are for everyone.
 * The quick-reply page takes an `admin` boolean property: true lets it edit the public library.
 */
export interface AdminPage {
  /** URL under the console's SPA fallback. */
  path: string;
  /** Menu title in the current locale. */
  title: () => string;
  tag: string;
  adminOnly: boolean;
  load: () => Promise<unknown>;
}

/** In menu order: settings first, then daily work, then oversight. */
export const adminPages: AdminPage[] = [
  { path: '/console/admin/human-service', title: () => at('nav.humanService'), tag: 'kf-human-service-page', adminOnly: true, load: () => import('./settings/kf-human-service-page.ts') },
  { path: '/console/admin/session-settings', title: () => at('nav.sessionSettings'), tag: 'kf-session-settings-page', adminOnly: true, load: () => import('./settings/kf-session-settings-page.ts') },
  { path: '/console/admin/channels', title: () => at('nav.channels'), tag: 'kf-channels-page', adminOnly: true, load: () => import('./settings/kf-channels-page.ts') },
  { path: '/console/admin/knowledge', title: () => at('nav.knowledge'), tag: 'kf-knowledge-page', adminOnly: true, load: () => import('./knowledge/kf-knowledge-page.ts') },
  { path: '/console/admin/quick-replies', title: () => at('nav.quickReplies'), tag: 'kf-quick-replies-page', adminOnly: false, load: () => import('./kf-quick-replies-page.ts') },
  { path: '/console/admin/offline-messages', title: () => at('nav.offline'), tag: 'kf-offline-messages-page', adminOnly: false, load: () => import('./kf-offline-messages-page.ts') },
  { path: '/console/admin/records', title: () => at('nav.records'), tag: 'kf-records-page', adminOnly: true, load: () => import('./kf-records-page.ts') },
  { path: '/console/admin/dashboard', title: () => at('nav.dashboard'), tag: 'kf-dashboard-page', adminOnly: true, load: () => import('./kf-dashboard-page.ts') },
  { path: '/console/admin/agents', title: () => at('nav.agents'), tag: 'kf-agents-page', adminOnly: true, load: () => import('../app/admin/kf-agents-page.ts') },
  { path: '/console/admin/audit', title: () => at('nav.audit'), tag: 'kf-audit-page', adminOnly: true, load: () => import('./kf-audit-page.ts') },
];

/** The page for a URL path, or undefined. */
export function adminPageFor(pathname: string): AdminPage | undefined {
  const clean = pathname.replace(/\/+$/, '');
  return adminPages.find((p) => p.path === clean);
}

/** The pages a user may open: everything for admins, the shared ones for agents. */
export function adminPagesFor(role: 'admin' | 'agent'): AdminPage[] {
  return adminPages.filter((p) => role === 'admin' || !p.adminOnly);
}

/** Defines every admin page element at once (for a shell that does not lazy-load). */
export async function registerAdminPages(): Promise<AdminPage[]> {
  await Promise.all(adminPages.map((p) => p.load()));
  return adminPages;
}
