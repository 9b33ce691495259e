import { adminPageFor, type AdminPage } from '../../admin/admin-pages.ts';
import type { Role } from '../../shared/protocol.ts';

/**
 * The console's pages are addressed by pathname under /console so the server's SPA fallback serves
 * them: `/console` is the workbench, every other page is an admin page (console/admin/admin-pages.ts).
 */
export const workbenchPath = '/console';

/** Earlier addresses that still open their page. */
const movedPaths: Record<string, string> = { '/console/agents': '/console/admin/agents' };

/** The canonical path for a location: a known page's path, or the workbench. */
export function routeOf(pathname: string): string {
  const clean = pathname.replace(/\/+$/, '');
  const moved = movedPaths[clean];
  if (moved) return moved;
  return adminPageFor(clean)?.path ?? workbenchPath;
}

/** The admin page to show for `path`, or undefined for the workbench (also when the role may not open it). */
export function pageFor(path: string, role: Role): AdminPage | undefined {
  const page = adminPageFor(path);
  return page && (role === 'admin' || !page.adminOnly) ? page : undefined;
}
