import type { Role, UserDto } from '../../shared/protocol.ts';
import { api, postJson } from './api.ts';

export interface NewAgent {
  email: string;
  name: string;
  password: string;
  role: Role;
  autoAcceptLimit: number;
}

export async function listAgents(): Promise<UserDto[]> {
  return (await api<{ items: UserDto[] }>('/api/agents')).items;
}

export async function createAgent(agent: NewAgent): Promise<UserDto | null> {
  const result = await postJson<{ user?: UserDto } | null>('/api/agents', agent);
  return result?.user ?? null;
}
