import Router from '@koa/router';
import type { Context } from 'koa';

export type Access = 'public' | 'visitor' | 'user' | 'admin' | 'signature';

export interface RouteMeta {
  summary: string;
  access: Access;
  /** API-key scope that also grants access (read:conversations, send:messages, manage:knowledge, export). */
  scope?: string;
  tag?: string;
}

interface RouteRecord extends RouteMeta {
  method: string;
  path: string;
}

type Handler = (ctx: Context) => Promise<unknown> | unknown;

/**
 * @koa/router plus a registry of every route's summary and access, from which the OpenAPI
 * document is generated, so the document cannot fall behind the routes.
 */
export class ApiRouter {
  readonly router = new Router();
  readonly routes: RouteRecord[] = [];

  private add(method: 'get' | 'post' | 'put' | 'patch' | 'delete', path: string, meta: RouteMeta, handler: Handler): void {
    this.routes.push({ method, path, ...meta });
    this.router[method](path, async (ctx) => {
      const result = await handler(ctx as unknown as Context);
      if (result !== undefined && ctx.body === undefined) ctx.body = result;
      if (ctx.body === undefined && ctx.status === 404) ctx.status = 204;
    });
  }

  get(path: string, meta: RouteMeta, handler: Handler) {
    this.add('get', path, meta, handler);
  }
  post(path: string, meta: RouteMeta, handler: Handler) {
    this.add('post', path, meta, handler);
  }
  put(path: string, meta: RouteMeta, handler: Handler) {
    this.add('put', path, meta, handler);
  }
  patch(path: string, meta: RouteMeta, handler: Handler) {
    this.add('patch', path, meta, handler);
  }
  delete(path: string, meta: RouteMeta, handler: Handler) {
    this.add('delete', path, meta, handler);
  }

  openApi(info: { title: string; version: string; serverUrl: string }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const route of this.routes) {
      const oaPath = route.path.replace(/:([A-Za-z_]+)/g, '{$1}');
      const params = [...route.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
      paths[oaPath] ??= {};
      paths[oaPath][route.method] = {
        summary: route.summary,
        tags: route.tag ? [route.tag] : undefined,
        parameters: params.length ? params : undefined,
        security: securityFor(route),
        'x-kefu-access': route.access,
        'x-kefu-scope': route.scope,
        responses: {
          '200': { description: 'OK' },
          '4XX': { description: 'Refused: `{"error":{"code","message"}}`', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        },
      };
    }
    return {
      openapi: '3.0.3',
      info: { title: info.title, version: info.version },
      servers: [{ url: info.serverUrl }],
      paths,
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'kefu_session' },
          bearer: { type: 'http', scheme: 'bearer' },
          visitor: { type: 'http', scheme: 'bearer', description: 'Visitor token from POST /api/widget/session' },
        },
        schemas: {
          Error: {
            type: 'object',
            properties: { error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } }, required: ['code', 'message'] } },
          },
        },
      },
    };
  }
}

function securityFor(route: RouteRecord): unknown[] | undefined {
  switch (route.access) {
    case 'public':
    case 'signature':
      return [];
    case 'visitor':
      return [{ visitor: [] }];
    default:
      return [{ session: [] }, { bearer: route.scope ? [route.scope] : [] }];
  }
}
