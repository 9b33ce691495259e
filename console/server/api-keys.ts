import crypto from 'node:crypto';
import type { Context, Next } from 'koa';
import { AppError } from '../../core/errors.ts';
import type { PrismaClient } from '../../prisma/generated/client.ts';
import type { ApiRouter } from './api-router.ts';
import type { SessionUser } from './sessions.ts';

/** Scopes a key can hold; a route opens to keys by declaring one of them as its `scope`. */
export const apiKeyScopes = ['read:conversations', 'send:messages', 'manage:knowledge', 'export'] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

/** What `ctx.state.apiKey` holds when a request authenticated with an API key. */
export interface ApiKeyPrincipal {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
}

const KEY_PATTERN = /^kf_([0-9a-f]{12})_([A-Za-z0-9_-]{32,64})$/;

export function hashKeySecret(secret: string): string {
  return crypto.createHash('sha256').update(secret).digest('hex');
}

/** A new key: shown once as `kf_<prefix>_<secret>`; only the prefix and the secret's hash are stored. */
export function generateApiKey(): { key: string; prefix: string; keyHash: string } {
  const prefix = crypto.randomBytes(6).toString('hex');
  const secret = crypto.randomBytes(32).toString('base64url');
  return { key: `kf_${prefix}_${secret}`, prefix, keyHash: hashKeySecret(secret) };
}

export function parseApiKey(value: string): { prefix: string; secret: string } | null {
  const match = KEY_PATTERN.exec(value);
  return match ? { prefix: match[1], secret: match[2] } : null;
}

/** Looks the key up by prefix and compares hashes in constant time; revoked keys never match. */
export async function resolveApiKey(prisma: PrismaClient, value: string): Promise<(ApiKeyPrincipal & { createdById: string | null }) | null> {
  const parsed = parseApiKey(value);
  if (!parsed) return null;
  const row = await prisma.apiKey.findUnique({ where: { prefix: parsed.prefix } });
  if (!row || row.revokedAt) return null;
  const given = Buffer.from(hashKeySecret(parsed.secret), 'hex');
  const stored = Buffer.from(row.keyHash, 'hex');
  if (given.length !== stored.length || !crypto.timingSafeEqual(given, stored)) return null;
  return { id: row.id, name: row.name, prefix: row.prefix, scopes: row.scopes, createdById: row.createdById };
}

/** The scope the route matching this request declares, or null when it declares none (or no route matches). */
export function routeScope(api: ApiRouter, method: string, path: string): string | null | undefined {
  const match = api.router.match(path, method);
  const layer = match.pathAndMethod.find((l) => l.methods.length > 0);
  if (!layer) return undefined;
  const verb = method.toLowerCase() === 'head' ? 'get' : method.toLowerCase();
  return api.routes.find((r) => r.path === layer.path && r.method === verb)?.scope ?? null;
}

/**
 * `Authorization: Bearer kf_…` authenticates a service principal. A key may call a route only when the
 * route declares a scope the key holds; there it acts with admin reach (so admin-only export routes
 * work), which the scope check bounds. Session auth is untouched for every other request.
 */
export function apiKeyMiddleware(prisma: PrismaClient, api: ApiRouter) {
  const lastUsed = new Map<string, number>();
  return async (ctx: Context, next: Next) => {
    const header = ctx.get('authorization');
    if (!header.startsWith('Bearer kf_')) return next();
    const key = await resolveApiKey(prisma, header.slice(7).trim());
    if (!key) throw new AppError('unauthenticated', { userMessage: 'This API key is not valid or has been revoked.' });
    const scope = routeScope(api, ctx.method, ctx.path);
    if (scope === undefined) return next();
    if (!scope || !key.scopes.includes(scope)) {
      throw new AppError('forbidden', {
        userMessage: scope ? `This API key lacks the ${scope} scope.` : 'This route is not available to API keys.',
        details: scope ? { scope } : undefined,
      });
    }
    const principal: SessionUser = {
      id: key.createdById ?? key.id,
      email: `api-key+${key.prefix}@kefu.invalid`,
      name: key.name,
      role: 'admin',
      status: 'offline',
      autoAcceptLimit: 0,
      activeCount: 0,
      disabled: false,
    };
    ctx.state.user = principal;
    ctx.state.apiKey = { id: key.id, name: key.name, prefix: key.prefix, scopes: key.scopes } satisfies ApiKeyPrincipal;
    // Written at most once a minute per key so a busy integration does not write on every call.
    const now = Date.now();
    if ((lastUsed.get(key.id) ?? 0) < now - 60_000) {
      lastUsed.set(key.id, now);
      await prisma.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date(now) } });
    }
    return next();
  };
}
