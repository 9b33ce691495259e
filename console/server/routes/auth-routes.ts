import { z } from 'zod';
import { AppError } from '../../../core/errors.ts';
import type { ApiRouter } from '../api-router.ts';
import type { AppContext } from '../app-context.ts';
import { verifyPassword } from '../passwords.ts';
import { SESSION_COOKIE, requireUser, userDto } from '../sessions.ts';
import { parseInput } from '../validate.ts';

const loginSchema = z.object({ email: z.string().email('must be an email address').max(200), password: z.string().min(1, 'is required').max(200) });

export function authRoutes(api: ApiRouter, app: AppContext): void {
  api.post('/api/auth/login', { summary: 'Log in with email and password; sets the session cookie', access: 'public', tag: 'auth' }, async (ctx) => {
    const { email, password } = parseInput(loginSchema, ctx.request.body);
    await app.limits.consume('login', `${ctx.ip}:${email.toLowerCase()}`);
    const user = await app.prisma.user.findUnique({ where: { email: email.toLowerCase() } });
    if (!user || user.disabled || !(await verifyPassword(password, user.passwordHash))) {
      throw new AppError('invalid_credentials', { userMessage: 'Wrong email or password.' });
    }
    await app.limits.reset('login', `${ctx.ip}:${email.toLowerCase()}`);
    const token = await app.sessions.create(user.id, ctx.get('user-agent'));
    const updated = await app.prisma.user.update({
      where: { id: user.id },
      data: user.status === 'offline' ? { status: 'online', statusChangedAt: new Date() } : {},
    });
    ctx.cookies.set(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'lax', secure: ctx.secure, maxAge: 14 * 86400_000, overwrite: true });
    if (user.status === 'offline') {
      await app.bus.publish({ name: 'agent.updated', agentId: user.id, status: 'online', activeCount: updated.activeCount, autoAcceptLimit: updated.autoAcceptLimit });
    }
    return { user: userDto(updated), token };
  });

  api.post('/api/auth/logout', { summary: 'Log out (the agent goes offline)', access: 'user', tag: 'auth' }, async (ctx) => {
    const user = requireUser(ctx);
    const token = app.sessions.tokenFrom(ctx);
    if (token) await app.sessions.destroy(token);
    const remaining = await app.prisma.userSession.count({ where: { userId: user.id } });
    if (remaining === 0) {
      const updated = await app.prisma.user.update({ where: { id: user.id }, data: { status: 'offline', statusChangedAt: new Date() } });
      await app.bus.publish({ name: 'agent.updated', agentId: user.id, status: 'offline', activeCount: updated.activeCount, autoAcceptLimit: updated.autoAcceptLimit });
    }
    ctx.cookies.set(SESSION_COOKIE, '', { httpOnly: true, sameSite: 'lax', maxAge: 0 });
    return { ok: true };
  });

  api.get('/api/auth/me', { summary: 'The signed-in user', access: 'user', tag: 'auth' }, async (ctx) => {
    const user = requireUser(ctx);
    const row = await app.prisma.user.findUniqueOrThrow({ where: { id: user.id } });
    return { user: userDto(row) };
  });
}
