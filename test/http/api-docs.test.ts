import { Validator } from '@seriousme/openapi-schema-validator';
import type { RouteOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServer, injectCaller, startApiServer } from '../helpers/apiServer.js';

interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, { responses?: Record<string, unknown>; security?: unknown[] }>>;
}

/** "GET /api/events/{eventId}" for Fastify's GET /api/events/:eventId. */
function operationName(method: string, url: string): string {
  return `${method.toUpperCase()} ${url.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`;
}

describe('the OpenAPI document at /docs/json', () => {
  let server: ApiServer;
  const apiRoutes = new Set<string>();
  let document: OpenApiDocument;

  beforeAll(async () => {
    const collect = (route: RouteOptions) => {
      // HEAD routes are Fastify's automatic twins of the GET routes.
      for (const method of [route.method].flat()) if (route.url.startsWith('/api/') && method !== 'HEAD') apiRoutes.add(operationName(method, route.url));
    };
    server = await startApiServer({}, { onRoute: collect });
    const answer = await injectCaller(server)<OpenApiDocument>('GET', '/docs/json');
    expect(answer.status, answer.text).toBe(200);
    document = answer.body;
  });

  afterAll(async () => {
    await server?.close();
  });

  it('is valid OpenAPI 3', async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(document) as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toMatch(/^3\./);
  });

  it('lists every /api route the server has, and nothing it has not', () => {
    const documented = Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/api/'))
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
    expect(apiRoutes.size).toBeGreaterThan(20);
    expect(documented.sort()).toEqual([...apiRoutes].sort());
  });

  it('documents the error answer and marks technician and moderation routes as needing their credentials', () => {
    const login = document.paths['/api/auth/login']?.post;
    expect(Object.keys(login?.responses ?? {})).toEqual(expect.arrayContaining(['200', '4XX']));
    expect(document.paths['/api/events/{eventId}/stages']?.post?.security).toEqual([{ technicianSession: [] }]);
    expect(document.paths['/api/events']?.get?.security).toBeUndefined();
    // A stage's moderation takes a technician or that stage's moderator link.
    expect(document.paths['/api/stages/{stageId}/questions/on-screen']?.put?.security).toEqual([{ technicianSession: [] }, { moderatorInvite: [] }]);
  });

  it('serves Swagger UI from this server, with nothing from elsewhere', async () => {
    const call = injectCaller(server);
    const page = await call('GET', '/docs/');
    expect(page.status).toBe(200);
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
    expect(assets.length).toBeGreaterThan(3);
    for (const asset of assets) {
      expect(asset, 'a relative address on this server').not.toMatch(/^(https?:)?\/\//);
      const file = await call('GET', new URL(asset, 'http://server/docs/').pathname);
      expect(file.status, asset).toBe(200);
    }
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(page.text).not.toMatch(/<script>(?!\s*<\/script>)/);
  });
});
