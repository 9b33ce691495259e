import { z } from 'zod';
import { AppError } from '../../../core/errors.ts';
import type { ApiRouter } from '../api-router.ts';
import type { AppContext } from '../app-context.ts';
import { hashPassword } from '../passwords.ts';
import { requireAdmin, requireUser, userDto } from '../sessions.ts';
import { parseInput } from '../validate.ts';
import { audit } from '../audit.ts';

const createSchema = z.object({
  email: z.string().email('must be an email address').max(200),
  name: z.string().trim().min(1, 'is required').max(60),
  password: z.string().min(8, 'must be at least 8 characters').max(200),
  role: z.enum(['admin', 'agent']).default('agent'),
  autoAcceptLimit: z.coerce.number().int().min(0).max(200).default(5),
});
const updateSchema = z.object({
  name: z.string().trim().min(1).max(60).optional(),
  role: z.enum(['admin', 'agent']).optional(),
  autoAcceptLimit: z.coerce.number().int().min(0).max(200).optional(),
  disabled: z.boolean().optional(),
  password: z.string().min(8, 'must be at least 8 characters').max(200).optional(),
});
const statusSchema = z.object({ status: z.enum(['online', 'paused']) });

export function agentRoutes(api: ApiRouter, app: AppContext): void {
  api.get('/api/agents', { summary: 'Agents with status and load (for 转接 and admin pages)', access: 'user', tag: 'agents' }, async (ctx) => {
    const user = requireUser(ctx);
    const rows = await app.prisma.user.findMany({
      where: user.role === 'admin' ? {} : { disabled: false },
      orderBy: [{ role: 'asc' }, { name: 'asc' }],
    });
    return { items: rows.map((r) => (user.role === 'admin' ? userDto(r) : { ...userDto(r), email: '' })) };
  });

  api.post('/api/agents', { summary: 'Admin: create an agent or admin account', access: 'admin', tag: 'agents' }, async (ctx) => {
    const admin = requireAdmin(ctx);
    const input = parseInput(createSchema, ctx.request.body);
    const email = input.email.toLowerCase();
    if (await app.prisma.user.findUnique({ where: { email } })) {
      throw new AppError('conflict', { userMessage: 'An account with this email already exists.', details: { field: 'email' } });
    }
    const row = await app.prisma.user.create({
      data: { email, name: input.name, role: input.role, autoAcceptLimit: input.autoAcceptLimit, passwordHash: await hashPassword(input.password) },
    });
    await audit(app, admin, 'user.create', 'user', row.id, { email, role: input.role });
    ctx.status = 201;
    return { user: userDto(row) };
  });

  api.patch('/api/agents/:id', { summary: 'Admin: edit, disable, re-enable, reset password, set limit', access: 'admin', tag: 'agents' }, async (ctx) => {
    const admin = requireAdmin(ctx);
    const input = parseInput(updateSchema, ctx.request.body);
    const existing = await app.prisma.user.findUnique({ where: { id: String(ctx.params.id) } }).catch(() => null);
    if (!existing) throw new AppError('not_found', { userMessage: 'No such account.' });
    if (existing.id === admin.id && (input.disabled || input.role === 'agent')) {
      throw new AppError('conflict', { userMessage: 'You cannot disable or demote your own account.' });
    }
    const row = await app.prisma.user.update({
      where: { id: existing.id },
      data: {
        name: input.name,
        role: input.role,
        autoAcceptLimit: input.autoAcceptLimit,
        disabled: input.disabled,
        ...(input.disabled ? { status: 'offline' as const } : {}),
        ...(input.password ? { passwordHash: await hashPassword(input.password) } : {}),
      },
    });
    if (input.disabled || input.password) await app.sessions.destroyAllFor(row.id);
    await audit(app, admin, 'user.update', 'user', row.id, { ...input, password: input.password ? '***' : undefined });
    await app.bus.publish({ name: 'agent.updated', agentId: row.id, status: row.status, activeCount: row.activeCount, autoAcceptLimit: row.autoAcceptLimit });
    return { user: userDto(row) };
  });

  api.patch('/api/me/status', { summary: 'Switch own status: 在线 (online) or 停止接入 (paused)', access: 'user', tag: 'agents' }, async (ctx) => {
    const user = requireUser(ctx);
    const { status } = parseInput(statusSchema, ctx.request.body);
    const row = await app.prisma.user.update({ where: { id: user.id }, data: { status, statusChangedAt: new Date() } });
    await app.bus.publish({ name: 'agent.updated', agentId: row.id, status: row.status, activeCount: row.activeCount, autoAcceptLimit: row.autoAcceptLimit });
    return { user: userDto(row) };
  });
}
