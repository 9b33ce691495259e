import type { IncomingMessage } from 'node:http';
import { verifyVisitorToken, type VisitorIdentity } from '../../connectors/web/visitor-token.ts';
import type { AppContext } from './app-context.ts';
import { SESSION_COOKIE, parseCookie, type SessionUser } from './sessions.ts';

/** Who opened a socket: an agent (by session token or cookie) or a web visitor (by visitor token). */
export type SocketIdentity = { kind: 'agent'; user: SessionUser } | { kind: 'visitor'; identity: VisitorIdentity; visitorId: string | null };

/** The identity behind a socket upgrade to /ws/agent or /ws/visitor; null when it proves none. */
export async function authenticateSocket(app: Pick<AppContext, 'sessions' | 'secret' | 'prisma'>, req: IncomingMessage, url: URL): Promise<SocketIdentity | null> {
  if (url.pathname === '/ws/agent') {
    const token = url.searchParams.get('token') ?? parseCookie(req.headers.cookie, SESSION_COOKIE);
    const user = await app.sessions.resolve(token);
    return user ? { kind: 'agent', user } : null;
  }
  try {
    const identity = verifyVisitorToken(app.secret, url.searchParams.get('token'));
    const visitor = await app.prisma.visitor.findUnique({
      where: { channelId_externalId: { channelId: identity.channelId, externalId: identity.visitorKey } },
      select: { id: true },
    });
    return { kind: 'visitor', identity, visitorId: visitor?.id ?? null };
  } catch {
    return null;
  }
}
