import { z } from 'zod';
import { AppError } from '../../../core/errors.ts';
import { apiKeyScopes, generateApiKey } from '../api-keys.ts';
import type { ApiRouter } from '../api-router.ts';
import type { AppContext } from '../app-context.ts';
import { audit } from '../audit.ts';
import { requireAdmin } from '../sessions.ts';
import { parseInput } from '../validate.ts';

const createSchema = z.object({
  name: z.string().trim().min(1, 'is required').max(60),
  scopes: z.array(z.enum(apiKeyScopes)).min(1, 'needs at least one scope').max(apiKeyScopes.length),
});

type KeyRow = { id: string; name: string; prefix: string; scopes: string[]; revokedAt: Date | null; lastUsedAt: Date | null; createdAt: Date; createdById: string | null };

function apiKeyDto(row: KeyRow) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    createdById: row.createdById,
    revokedAt: row.revokedAt?.toISOString() ?? null,
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

/** API keys for integrations: created by admins with scopes, shown once, revocable. */
export function apiKeyRoutes(api: ApiRouter, app: AppContext): void {
  api.get('/api/admin/api-keys', { summary: 'Admin: API keys (never the secret)', access: 'admin', tag: 'operations' }, async (ctx) => {
    requireAdmin(ctx);
    const rows = await app.prisma.apiKey.findMany({ orderBy: { createdAt: 'desc' } });
    return { apiKeys: rows.map(apiKeyDto), scopes: apiKeyScopes };
  });

  api.post('/api/admin/api-keys', { summary: 'Admin: create an API key ({name, scopes}); the key is returned once', access: 'admin', tag: 'operations' }, async (ctx) => {
    const user = requireAdmin(ctx);
    if (ctx.state.apiKey) throw new AppError('forbidden', { userMessage: 'API keys cannot create API keys.' });
    const input = parseInput(createSchema, ctx.request.body);
    const { key, prefix, keyHash } = generateApiKey();
    const row = await app.prisma.apiKey.create({ data: { name: input.name, prefix, keyHash, scopes: [...new Set(input.scopes)], createdById: user.id } });
    await audit(app, user, 'api_key.create', 'api_key', row.id, { name: row.name, prefix, scopes: row.scopes });
    ctx.status = 201;
    return { apiKey: apiKeyDto(row), key };
  });

  api.delete('/api/admin/api-keys/:id', { summary: 'Admin: revoke an API key (takes effect at once)', access: 'admin', tag: 'operations' }, async (ctx) => {
    const user = requireAdmin(ctx);
    const id = z.string().uuid().safeParse(ctx.params.id);
    const row = id.success ? await app.prisma.apiKey.findUnique({ where: { id: id.data } }) : null;
    if (!row) throw new AppError('not_found', { userMessage: 'No such API key.' });
    const updated = row.revokedAt ? row : await app.prisma.apiKey.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
    await audit(app, user, 'api_key.revoke', 'api_key', row.id, { name: row.name, prefix: row.prefix });
    return { apiKey: apiKeyDto(updated) };
  });
}
