import { AppError } from '../../../core/errors.ts';
import { channelSettingsSchema } from '../../../core/settings/settings-schema.ts';
import { isSettingsKey, type SettingsService } from '../../../core/settings/settings-service.ts';
import type { ApiRouter } from '../api-router.ts';
import type { AppContext } from '../app-context.ts';
import { audit } from '../audit.ts';
import { requireAdmin } from '../sessions.ts';
import { parseInput } from '../validate.ts';

function channelDto(row: { id: string; type: string; name: string; enabled: boolean; settings: unknown; createdAt: Date }) {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    enabled: row.enabled,
    settings: channelSettingsSchema.safeParse(row.settings ?? {}).data ?? channelSettingsSchema.parse({}),
    createdAt: row.createdAt.toISOString(),
  };
}

/** Admin settings (人工客服设置, 会话设置, …) and per-channel routing settings. */
export function settingsRoutes(settings: SettingsService) {
  return (api: ApiRouter, app: AppContext): void => {
    const keyOf = (raw: string) => {
      if (!isSettingsKey(raw)) throw new AppError('not_found', { userMessage: `There is no setting named ${raw}.` });
      return raw;
    };
    const findChannel = async (id: string) => {
      const row = await app.prisma.channel.findUnique({ where: { id } }).catch(() => null);
      if (!row) throw new AppError('channel_not_found', { userMessage: 'This channel does not exist.' });
      return row;
    };

    api.get('/api/settings', { summary: 'Admin: every setting with defaults applied', access: 'admin', tag: 'settings' }, async (ctx) => {
      requireAdmin(ctx);
      return { settings: await settings.getAll() };
    });

    api.get('/api/settings/:key', { summary: 'Admin: one setting', access: 'admin', tag: 'settings' }, async (ctx) => {
      requireAdmin(ctx);
      const key = keyOf(ctx.params.key);
      return { key, value: await settings.get(key) };
    });

    api.put('/api/settings/:key', { summary: 'Admin: replace one setting (validated; omitted fields take defaults)', access: 'admin', tag: 'settings' }, async (ctx) => {
      const admin = requireAdmin(ctx);
      const key = keyOf(ctx.params.key);
      const value = await settings.update(key, ctx.request.body, admin.id);
      await audit(app, admin, 'settings.update', 'setting', key, { value });
      return { key, value };
    });

    api.get('/api/channels', { summary: 'Admin: channels with their routing settings (never credentials)', access: 'admin', tag: 'settings' }, async (ctx) => {
      requireAdmin(ctx);
      const rows = await app.prisma.channel.findMany({ orderBy: { createdAt: 'asc' } });
      return { items: rows.map(channelDto) };
    });

    api.get('/api/channels/:id/settings', { summary: 'Admin: a channel’s bot and 转人工 settings', access: 'admin', tag: 'settings' }, async (ctx) => {
      requireAdmin(ctx);
      return { settings: channelDto(await findChannel(ctx.params.id)).settings };
    });

    api.put('/api/channels/:id/settings', { summary: 'Admin: replace a channel’s bot and 转人工 settings', access: 'admin', tag: 'settings' }, async (ctx) => {
      const admin = requireAdmin(ctx);
      const row = await findChannel(ctx.params.id);
      const input = parseInput(channelSettingsSchema, ctx.request.body);
      const merged = { ...((row.settings ?? {}) as Record<string, unknown>), ...input };
      await app.prisma.channel.update({ where: { id: row.id }, data: { settings: merged as never } });
      await audit(app, admin, 'channel.settings.update', 'channel', row.id, input);
      return { settings: input };
    });
  };
}
