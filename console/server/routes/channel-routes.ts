import { z } from 'zod';
import type { ConnectorRegistry } from '../../../app/connectors.ts';
import { addChannel, callbackPath, configurableChannelTypes, credentialFields, updateChannel } from '../../../connectors/channel-admin.ts';
import { toDeliveryFailure } from '../../../connectors/wechat-common/errcodes.ts';
import { MpConnector } from '../../../connectors/wechat-mp/mp-connector.ts';
import { WecomConnector } from '../../../connectors/wecom/wecom-connector.ts';
import { AppError } from '../../../core/errors.ts';
import { loadChannelConfig } from '../../../infra/channel-credentials.ts';
import type { ApiRouter } from '../api-router.ts';
import type { AppContext } from '../app-context.ts';
import { audit } from '../audit.ts';
import { requireAdmin } from '../sessions.ts';
import { parseInput } from '../validate.ts';

const credentialsInput = z.record(z.string(), z.string().max(2000));

const createSchema = z.object({
  type: z.enum(['web', ...configurableChannelTypes]),
  name: z.string().trim().min(1).max(60),
  credentials: credentialsInput.default({}),
  settings: z.record(z.string(), z.unknown()).optional(),
});

const patchSchema = z.object({
  name: z.string().trim().min(1).max(60).optional(),
  enabled: z.boolean().optional(),
  credentials: credentialsInput.optional(),
});

/**
 * Admin routes to add, edit, enable and test WeChat-family channels. Credentials go in and are stored
 * encrypted; responses only say which credential fields are set. Listing channels and editing their
 * settings live with the admin pages' routes.
 */
export function channelRoutes(connectors: ConnectorRegistry, onChannelChanged: () => Promise<void> = async () => undefined) {
  return (api: ApiRouter, app: AppContext) => {
    const describe = (row: { id: string; type: string; name: string; enabled: boolean; credentials: string | null; state?: unknown }) => {
      const path = callbackPath(row.type as never, row.id);
      return {
        id: row.id,
        type: row.type,
        name: row.name,
        enabled: row.enabled,
        credentials: credentialFields(app.secret, row.credentials),
        callbackUrl: path ? `${app.config.publicUrl}${path}` : null,
      };
    };

    api.post('/api/channels', { summary: 'Add a channel: web (returns the embed code), WeCom, Official Account or Wechaty (returns the callback URL and token)', access: 'admin', tag: 'channels' }, async (ctx) => {
      const admin = requireAdmin(ctx);
      const input = parseInput(createSchema, ctx.request.body);
      if (input.type === 'web') {
        const channel = await app.prisma.channel.create({ data: { type: 'web', name: input.name, settings: (input.settings ?? { title: input.name }) as never } });
        await audit(app, admin, 'channel.create', 'channel', channel.id, { type: 'web', name: input.name });
        await onChannelChanged();
        ctx.status = 201;
        return {
          channel: { id: channel.id, type: channel.type, name: channel.name, enabled: channel.enabled },
          embedCode: `<script src="${app.config.publicUrl}/widget.js" data-channel="${channel.id}" async></script>`,
          h5Url: `${app.config.publicUrl}/h5?channel=${channel.id}`,
        };
      }
      const added = await addChannel(app.prisma, app.secret, { ...input, publicUrl: app.config.publicUrl });
      await audit(app, admin, 'channel.create', 'channel', added.channel.id, { type: input.type, name: input.name, fields: Object.keys(input.credentials) });
      await onChannelChanged();
      ctx.status = 201;
      return added;
    });

    api.patch('/api/channels/:id', { summary: 'Rename, enable/disable or change the credentials of a channel', access: 'admin', tag: 'channels' }, async (ctx) => {
      const admin = requireAdmin(ctx);
      const patch = parseInput(patchSchema, ctx.request.body);
      await requireChannel(app, ctx.params.id);
      const row = await updateChannel(app.prisma, app.secret, ctx.params.id, patch);
      await audit(app, admin, 'channel.update', 'channel', row.id, {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
        ...(patch.credentials ? { fields: Object.keys(patch.credentials) } : {}),
      });
      await onChannelChanged();
      return { channel: describe(row) };
    });

    api.post('/api/channels/:id/test', { summary: 'Check a channel’s credentials by fetching an access token', access: 'admin', tag: 'channels' }, async (ctx) => {
      requireAdmin(ctx);
      const channel = await requireChannel(app, ctx.params.id);
      const connector = connectors.get(channel.type);
      try {
        if (connector instanceof WecomConnector || connector instanceof MpConnector) {
          await connector.clientFor(channel).getAccessToken();
          return { ok: true };
        }
        const status = (channel.state as { wechaty?: { status?: string } }).wechaty?.status ?? 'stopped';
        return { ok: status === 'logged_in', status };
      } catch (error) {
        return { ok: false, reason: isAppErrorLike(error) ? error.userMessage : toDeliveryFailure(error).reason };
      }
    });

    api.get('/api/channels/:id/status', { summary: 'Connection state of a channel (Wechaty login QR and status)', access: 'admin', tag: 'channels' }, async (ctx) => {
      requireAdmin(ctx);
      const row = await app.prisma.channel.findUnique({ where: { id: (await requireChannel(app, ctx.params.id)).id } });
      const state = (row!.state ?? {}) as { wechaty?: Record<string, unknown> };
      return { channel: describe(row!), status: state.wechaty ?? null };
    });
  };
}

async function requireChannel(app: AppContext, id: string) {
  const channel = await loadChannelConfig(app.prisma, app.secret, id);
  if (!channel) throw new AppError('channel_not_found', { userMessage: 'This channel does not exist.' });
  return channel;
}

function isAppErrorLike(error: unknown): error is AppError {
  return error instanceof AppError;
}
