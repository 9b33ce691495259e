import crypto from 'node:crypto';
import type { Context } from 'koa';
import { AppError } from '../../core/errors.ts';
import type { PrismaClient } from '../../prisma/generated/client.ts';
import type { UserDto } from '../shared/protocol.ts';

export const SESSION_COOKIE = 'kefu_session';
const SESSION_DAYS = 14;

export interface SessionUser extends UserDto {}

function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('base64url');
}

export function userDto(row: { id: string; email: string; name: string; role: 'admin' | 'agent'; status: 'online' | 'paused' | 'offline'; autoAcceptLimit: number; activeCount: number; disabled: boolean }): UserDto {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    status: row.status,
    autoAcceptLimit: row.autoAcceptLimit,
    activeCount: row.activeCount,
    disabled: row.disabled,
  };
}

/** Login sessions: a random token in an httpOnly cookie (or a bearer header), stored hashed. */
export class SessionManager {
  private readonly cache = new Map<string, { user: SessionUser; at: number }>();

  constructor(private readonly prisma: PrismaClient) {}

  async create(userId: string, userAgent?: string): Promise<string> {
    const token = crypto.randomBytes(32).toString('base64url');
    await this.prisma.userSession.create({
      data: { id: hashToken(token), userId, userAgent: userAgent?.slice(0, 200), expiresAt: new Date(Date.now() + SESSION_DAYS * 86400_000) },
    });
    return token;
  }

  async destroy(token: string): Promise<void> {
    this.cache.delete(token);
    await this.prisma.userSession.deleteMany({ where: { id: hashToken(token) } });
  }

  async destroyAllFor(userId: string): Promise<void> {
    for (const [token, entry] of this.cache) if (entry.user.id === userId) this.cache.delete(token);
    await this.prisma.userSession.deleteMany({ where: { userId } });
  }

  /** The signed-in user for this token, or null; a short cache keeps socket and API checks cheap. */
  async resolve(token: string | undefined | null): Promise<SessionUser | null> {
    if (!token || token.length > 200) return null;
    const cached = this.cache.get(token);
    if (cached && Date.now() - cached.at < 2_000) return cached.user;
    const session = await this.prisma.userSession.findUnique({ where: { id: hashToken(token) }, include: { user: true } });
    if (!session || session.expiresAt < new Date() || session.user.disabled) {
      this.cache.delete(token);
      return null;
    }
    const user = userDto(session.user);
    this.cache.set(token, { user, at: Date.now() });
    return user;
  }

  tokenFrom(ctx: Pick<Context, 'get' | 'cookies'>): string | undefined {
    const header = ctx.get('authorization');
    if (header?.startsWith('Bearer ')) return header.slice(7).trim();
    return ctx.cookies.get(SESSION_COOKIE) ?? undefined;
  }
}

export function requireUser(ctx: Context): SessionUser {
  const user = ctx.state.user as SessionUser | undefined;
  if (!user) throw new AppError('unauthenticated', { userMessage: 'Please log in.' });
  return user;
}

export function requireAdmin(ctx: Context): SessionUser {
  const user = requireUser(ctx);
  if (user.role !== 'admin') throw new AppError('forbidden', { userMessage: 'Only admins can do this.' });
  return user;
}

export function parseCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return decodeURIComponent(v.join('='));
  }
  return undefined;
}
