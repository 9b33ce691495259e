/**
 * One API client per channel, rebuilt when the channel's credentials change (the fingerprint),
 * so a token cache and its refresh logic are shared by every send of that channel.
 */
export class ClientCache<C> {
  readonly #clients = new Map<string, { fingerprint: string; client: C }>();

  get(channelId: string, fingerprint: string, create: () => C): C {
    const cached = this.#clients.get(channelId);
    if (cached?.fingerprint === fingerprint) return cached.client;
    const client = create();
    this.#clients.set(channelId, { fingerprint, client });
    return client;
  }
}
