import type { AgentStatus, UserDto } from '../../shared/protocol.ts';
import { ApiError } from '../../ui/http.ts';
import { api, postJson } from './api.ts';

export async function login(email: string, password: string): Promise<UserDto> {
  return (await postJson<{ user: UserDto }>('/api/auth/login', { email, password })).user;
}

export async function logout(): Promise<void> {
  await postJson('/api/auth/logout');
}

/** The signed-in user, or null when the session is missing or expired. */
export async function fetchMe(): Promise<UserDto | null> {
  try {
    return (await api<{ user: UserDto }>('/api/auth/me')).user;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

/** Switches 在线 / 停止接入; answers the updated user (re-read when the server answers without one). */
export async function updateMyStatus(status: AgentStatus): Promise<UserDto | null> {
  const result = await postJson<{ user?: UserDto } | null>('/api/me/status', { status }, 'PATCH');
  return result?.user ?? fetchMe();
}
