import type { AppContext } from './app-context.ts';
import type { SessionUser } from './sessions.ts';

/** Records who changed what; secrets must be redacted by the caller. */
export async function audit(
  app: Pick<AppContext, 'prisma'>,
  actor: Pick<SessionUser, 'id' | 'email'> | null,
  action: string,
  targetType: string,
  targetId: string | null,
  data?: Record<string, unknown>,
): Promise<void> {
  await app.prisma.auditLog.create({
    data: { actorId: actor?.id ?? null, actorEmail: actor?.email ?? null, action, targetType, targetId, data: (data ?? undefined) as never },
  });
}
