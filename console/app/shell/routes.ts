/** The console's pages; paths live under /console so the server's SPA fallback serves them. */
export type Route = 'workbench' | 'agents';

export function routeOf(pathname: string): Route {
  return /^\/console\/agents\/?$/.test(pathname) ? 'agents' : 'workbench';
}

export function pathOf(route: Route): string {
  return route === 'agents' ? '/console/agents' : '/console';
}
