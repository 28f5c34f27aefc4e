/**
 * The OpenAPI description against the server it describes: every route the routers mount has an entry and every
 * entry a route, the document is well formed (references resolve, path parameters are declared, examples validate),
 * it names only error codes the README documents, and it changes with the server's settings. Unlisted methods on
 * listed paths get 405 with `Allow`.
 */
import type { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FeedbackLog } from '../retrieval/feedback/feedback-log.js';
import { z } from 'zod';
import { createLogger } from '../retrieval/logger.js';
import { apiDescription, apiOperations, type ApiOperationsOptions } from './api-operations.js';
import { createApiRouter } from './http-api.js';
import { createOpenAiRouter } from './openai-compatible/openai-router.js';
import { buildOpenApiDocument, openApiDocumentSchema, type ApiOperation, type OpenApiDocument } from './openapi-document.js';
import { documentedHttpCodes } from './__fixtures__/readme-error-codes.js';
import { startTestServer, type TestServer } from './__fixtures__/test-server.js';

const TOKEN = 'test-token-0123456789abcdef';
const auth = { Authorization: `Bearer ${TOKEN}` };
const SETTINGS: ApiOperationsOptions = { defaultK: 8, tokenRequired: true, loopbackOnly: true, maxBodyBytes: 64 * 1024 };

let t: TestServer;
let doc: OpenApiDocument;
beforeAll(async () => {
  t = await startTestServer({ configOverrides: { apiToken: TOKEN } });
  const res = await fetch(`${t.url}/api/openapi.json`, { headers: auth });
  expect(res.status).toBe(200);
  doc = openApiDocumentSchema.parse(await res.json()) as unknown as OpenApiDocument;
});
afterAll(async () => t?.close());

/** `METHOD /path/{param}` of every route a router mounts under `prefix`, in OpenAPI's path syntax. */
function mountedRoutes(prefix: string, router: Router): string[] {
  const layers = router.stack as unknown as { route?: { path: string; methods: Record<string, boolean> } }[];
  return layers.flatMap((layer) =>
    layer.route ? Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${prefix}${layer.route!.path.replace(/:(\w+)/g, '{$1}')}`) : [],
  );
}

/** Every `$ref` in a JSON value. */
function refsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsOf);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, v]) => (key === '$ref' && typeof v === 'string' ? [v] : refsOf(v)));
}

describe('the OpenAPI description', () => {
  it('lists exactly the routes the routers mount, each once', () => {
    const common = { pipeline: t.pipeline, config: t.config, requestLimiter: ((_req, _res, next) => next()) as Parameters<typeof createApiRouter>[0]['requestLimiter'] };
    const mounted = [
      ...mountedRoutes('/api', createApiRouter({ ...common, openApiDocument: doc, feedbackLog: new FeedbackLog({ file: t.config.feedbackFile }) })),
      ...mountedRoutes('/v1', createOpenAiRouter({ ...common, logger: createLogger({ level: 'silent' }) })),
    ].sort();
    const described = Object.entries(doc.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    expect(described).toEqual(mounted);
  });

  it('is served as OpenAPI 3.1 whose references all resolve and whose path parameters are all declared', () => {
    expect(doc.openapi).toBe('3.1.0');
    for (const ref of refsOf(doc)) {
      expect(ref, ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.components.schemas[ref.slice('#/components/schemas/'.length)], ref).toBeDefined();
    }
    for (const [path, methods] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const [method, op] of Object.entries(methods)) {
        const parameters = op.parameters as { name: string; in: string; required: boolean }[];
        expect(parameters.filter((p) => p.in === 'path').map((p) => p.name), `${method} ${path}`).toEqual(names);
        expect(parameters.filter((p) => p.in === 'path').every((p) => p.required)).toBe(true);
        for (const [status, response] of Object.entries(op.responses as Record<string, { description: string }>)) {
          expect(status, `${method} ${path}`).toMatch(/^[1-5]\d\d$/);
          expect(response.description.length, `${method} ${path} ${status}`).toBeGreaterThan(10);
        }
      }
    }
    // No zod-specific leftovers: a component is a plain JSON Schema.
    for (const schema of Object.values(doc.components.schemas)) {
      expect(schema).not.toHaveProperty('$schema');
      expect(schema).not.toHaveProperty('$id');
    }
  });

  it('carries request examples that validate against the schemas the routers parse with', () => {
    const operations = apiOperations(SETTINGS);
    for (const op of operations.filter((o) => o.body)) {
      expect(op.body!.schema.safeParse(op.body!.example).success, op.path).toBe(true);
      const served = doc.paths[op.path]![op.method]!.requestBody as { content: Record<string, { examples: Record<string, { value: unknown }> }> };
      expect(served.content['application/json']!.examples.example!.value).toEqual(op.body!.example);
    }
  });

  it('converts requests as accepted and responses as sent: a request schema tolerates unknown fields, a response schema admits none', () => {
    const ask = doc.paths['/api/ask']!.post!.requestBody as { content: Record<string, { schema: Record<string, unknown> }> };
    expect(ask.content['application/json']!.schema).not.toHaveProperty('additionalProperties');
    expect(doc.components.schemas.AskResult).toMatchObject({ additionalProperties: false });
    const search = doc.paths['/api/search']!.get!.parameters as { name: string; required: boolean; schema: { pattern?: string } }[];
    expect(search.map((p) => [p.name, p.required])).toEqual([
      ['q', true],
      ['k', false],
    ]);
    expect(new RegExp(search[1]!.schema.pattern!).test('100')).toBe(true);
    expect(new RegExp(search[1]!.schema.pattern!).test('101')).toBe(false);
  });

  it('names only error codes the README documents, listing them per response', () => {
    const documented = documentedHttpCodes();
    type ErrorSchema = { properties?: { error?: { properties?: { code?: { enum?: string[] } } } } };
    const named = Object.values(doc.paths).flatMap((methods) =>
      Object.values(methods).flatMap((op) =>
        Object.values(op.responses as Record<string, { content?: Record<string, { schema: ErrorSchema }> }>).flatMap(
          (response) => response.content?.['application/json']?.schema.properties?.error?.properties?.code?.enum ?? [],
        ),
      ),
    );
    expect(new Set(named).size).toBeGreaterThan(10);
    for (const code of named) expect(documented.has(code), `${code} is in the README's error table`).toBe(true);
    expect(documented.has('METHOD_NOT_ALLOWED'), "the 405 of an unlisted method is in the README's table").toBe(true);
  });

  it('describes the server that serves it: the token and the host check only where they apply', () => {
    const open = buildOpenApiDocument(apiDescription({ ...SETTINGS, tokenRequired: false, version: '0' }));
    expect(open.security).toBeUndefined();
    expect(open.components.securitySchemes).toBeUndefined();
    expect(Object.keys(open.paths['/api/health']!.get!.responses as object)).not.toContain('401');
    expect(doc.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.components.securitySchemes?.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(doc.paths['/api/health']!.get!.responses as object)).toContain('401');
    const exposed = buildOpenApiDocument(apiDescription({ ...SETTINGS, loopbackOnly: false, version: '0' }));
    expect(Object.keys(exposed.paths['/api/health']!.get!.responses as object)).not.toContain('403');
  });

  it('refuses operations that contradict themselves', () => {
    const [health] = apiOperations(SETTINGS) as [ApiOperation];
    const build = (operations: ApiOperation[]) => () => buildOpenApiDocument({ ...apiDescription({ ...SETTINGS, version: '0' }), operations });
    expect(build([health, { ...health, operationId: 'again' }])).toThrow(/listed twice/);
    expect(build([{ ...health, path: '/api/health/{id}' }])).toThrow(/path parameters/);
    expect(build([{ ...health, method: 'post', body: { schema: z.object({ question: z.string() }), example: {} } }])).toThrow(/request example/);
    const a = z.object({ n: z.number() }).meta({ id: 'Clash' });
    const b = z.object({ s: z.string() }).meta({ id: 'Clash' });
    expect(build([{ ...health, responses: { 200: { description: 'a', json: a }, 404: { description: 'b', json: b } } }])).toThrow(/two different JSON Schemas/);
  });
});

describe('methods a listed path does not take', () => {
  it('answer 405 with Allow, in each API’s error shape, and OPTIONS answers 204 with Allow', async () => {
    const health = await fetch(`${t.url}/api/health`, { method: 'DELETE', headers: auth });
    expect(health.status).toBe(405);
    expect(health.headers.get('allow')).toBe('GET, HEAD, OPTIONS');
    expect(await health.json()).toMatchObject({ error: { code: 'METHOD_NOT_ALLOWED' } });
    const ask = await fetch(`${t.url}/api/ask/`, { method: 'GET', headers: auth });
    expect(ask.status).toBe(405);
    expect(ask.headers.get('allow')).toBe('POST, OPTIONS');
    const document = await fetch(`${t.url}/api/documents/a%2Fb.txt`, { method: 'PUT', headers: auth });
    expect(document.status).toBe(405);
    const models = await fetch(`${t.url}/v1/models`, { method: 'POST', headers: auth });
    expect(models.status).toBe(405);
    expect(await models.json()).toMatchObject({ error: { code: 'METHOD_NOT_ALLOWED', type: 'invalid_request_error', param: null } });
    const options = await fetch(`${t.url}/v1/chat/completions`, { method: 'OPTIONS', headers: auth });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('POST, OPTIONS');
  });

  it('are behind the token like everything else, and unknown paths stay 404', async () => {
    expect((await fetch(`${t.url}/api/health`, { method: 'DELETE' })).status).toBe(401);
    expect((await fetch(`${t.url}/api/nope`, { method: 'DELETE', headers: auth })).status).toBe(404);
    expect((await fetch(`${t.url}/api/health`, { method: 'HEAD', headers: auth })).status).toBe(200);
  });
});
