/**
 * Builds the OpenAPI 3.1 description of the HTTP API from a list of operations whose parameters, bodies and
 * responses are the zod schemas the server validates with and answers in. Nothing is written by hand twice: the
 * JSON Schemas are zod's own conversion (requests as they are accepted, `io: 'input'`; responses as they are sent,
 * `io: 'output'`), and schemas with a `meta({ id })` become named components.
 */
import { z } from 'zod';

/** A JSON Schema (or any other JSON object of the description). */
export type JsonObject = { readonly [key: string]: unknown };

/** A response header an operation sends. */
export interface ResponseHeader {
  readonly description: string;
  /** Sent on every response of this status. */
  readonly required: boolean;
  /** The header's value; header values are text, so a number is a digit pattern. */
  readonly schema: z.ZodType;
}

/** One documented response of an operation. */
export interface OperationResponse {
  /** When the server answers this, and what to do; for a status tests cannot provoke, also why. */
  readonly description: string;
  /** The `application/json` body. */
  readonly json?: z.ZodType;
  /** A `text/event-stream` body: every event's `data` is this JSON, except a last `data: <terminator>`. */
  readonly eventStream?: { readonly data: z.ZodType; readonly terminator: string };
  /** A body of raw bytes of this media type (a document's file), e.g. `application/pdf`. */
  readonly binary?: string;
  readonly headers?: Readonly<Record<string, ResponseHeader>>;
}

/** One route of the API, as the OpenAPI description lists it. */
export interface ApiOperation {
  readonly method: 'get' | 'post' | 'delete';
  /** The full path with OpenAPI's `{name}` for a path parameter, e.g. `/api/documents/{id}`. */
  readonly path: string;
  readonly operationId: string;
  /** The group it is listed under, one of the document's tags. */
  readonly tag: string;
  readonly summary: string;
  readonly description?: string;
  /** The path parameters, one property per `{name}` of the path. */
  readonly pathParams?: z.ZodObject;
  readonly query?: z.ZodObject;
  /** The `application/json` request body, with an example that must validate against it. */
  readonly body?: { readonly schema: z.ZodType; readonly example: unknown };
  /** A `multipart/form-data` request body of files in one field (uploads). */
  readonly files?: { readonly field: string; readonly description: string };
  /** Every status the route itself or the middleware in front of it answers, by status. */
  readonly responses: Readonly<Record<number, OperationResponse>>;
}

/** Options of `buildOpenApiDocument`. */
export interface OpenApiDocumentOptions {
  readonly operations: readonly ApiOperation[];
  readonly title: string;
  readonly version: string;
  /** The description's introduction (Markdown): what every operation shares. */
  readonly description: string;
  readonly tags: readonly { readonly name: string; readonly description: string }[];
  /** Every operation requires `Authorization: Bearer <token>`; documented as the `bearerAuth` security scheme. */
  readonly bearerAuth: boolean;
}

/** An OpenAPI 3.1 document. */
export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly tags: readonly { readonly name: string; readonly description: string }[];
  readonly paths: Readonly<Record<string, Readonly<Record<string, JsonObject>>>>;
  readonly components: { readonly schemas: Readonly<Record<string, JsonObject>>; readonly securitySchemes?: Readonly<Record<string, JsonObject>> };
  readonly security?: readonly Readonly<Record<string, readonly string[]>>[];
}

/** The shape every OpenAPI 3.1 document has, for checking one that came over the wire. */
export const openApiDocumentSchema = z
  .looseObject({
    openapi: z.string().regex(/^3\.1\.\d+$/),
    info: z.looseObject({ title: z.string(), version: z.string() }),
    paths: z.record(z.string().regex(/^\//), z.looseObject({})),
  })
  .meta({ id: 'OpenApiDocument', description: 'An OpenAPI 3.1 document: this one.' });

const COMPONENT_REF = '#/components/schemas/';

/** Replaces zod's `#/$defs/Name` references with references to the document's components. */
function withComponentRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withComponentRefs);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [key, key === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/') ? COMPONENT_REF + v.slice('#/$defs/'.length) : withComponentRefs(v)]),
  );
}

/**
 * A fixed-length tuple (`prefixItems`, valid OpenAPI 3.1) described as an array of its items' kinds with its length:
 * schemathesis 4.32 reads `prefixItems` as a draft-4 `items` list and refuses the whole document ("Invalid Schema
 * Object"), as it did for a PDF page's `boxes`. The server still sends exactly the tuple.
 */
function tupleAsArray(context: { jsonSchema: Record<string, unknown> }): void {
  const { jsonSchema } = context;
  const prefix = jsonSchema.prefixItems as unknown[] | undefined;
  if (!Array.isArray(prefix)) return;
  const kinds = [...new Map(prefix.map((item) => [JSON.stringify(item), item])).values()];
  delete jsonSchema.prefixItems;
  jsonSchema.items = kinds.length === 1 ? kinds[0] : { anyOf: kinds };
}

/**
 * Converts schemas to JSON Schema for the document, gathering named ones into `components`. A name converted
 * twice must come out the same (a schema used both in a request and a response differs between input and output:
 * give each side its own id).
 */
function createSchemaConverter() {
  const components: Record<string, JsonObject> = {};
  const convert = (schema: z.ZodType, io: 'input' | 'output'): JsonObject => {
    const { $schema: _dialect, $defs, ...root } = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'throw', cycles: 'throw', override: tupleAsArray }) as Record<string, unknown>;
    for (const [name, definition] of Object.entries(($defs ?? {}) as Record<string, unknown>)) {
      const converted = withComponentRefs(definition) as JsonObject;
      const known = components[name];
      if (known && JSON.stringify(known) !== JSON.stringify(converted)) throw new Error(`schema "${name}" converts to two different JSON Schemas (as request and as response?): give each its own id`);
      components[name] = converted;
    }
    return withComponentRefs(root) as JsonObject;
  };
  return { convert, components };
}

/** The names of a path's `{name}` parameters. */
function templateNames(path: string): string[] {
  return [...path.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1]!);
}

/** A media type whose events are `data: <JSON>` lines, the last one `data: <terminator>`. */
function eventStreamSchema(data: JsonObject, terminator: string): JsonObject {
  return {
    type: 'object',
    description: `One server-sent event. Its data is JSON, except the last event's, which is ${terminator}.`,
    required: ['data'],
    properties: {
      event: { const: 'message' },
      data: { type: 'string', if: { const: terminator }, then: true, else: { contentMediaType: 'application/json', contentSchema: data } },
    },
  };
}

/**
 * The OpenAPI 3.1 document of `operations`.
 * @throws Error when the operations contradict themselves: a route listed twice, a path parameter with no schema (or
 * a schema for one the path lacks), a request example its own schema refuses, or one schema name for two schemas.
 */
export function buildOpenApiDocument(options: OpenApiDocumentOptions): OpenApiDocument {
  const { convert, components } = createSchemaConverter();
  const paths: Record<string, Record<string, JsonObject>> = {};
  const operationIds = new Set<string>();

  const parameters = (location: 'path' | 'query', object: z.ZodObject | undefined): JsonObject[] => {
    if (!object) return [];
    const json = convert(object, 'input');
    const required = new Set((json.required ?? []) as string[]);
    return Object.entries((json.properties ?? {}) as Record<string, JsonObject>).map(([name, { description, ...schema }]) => ({
      name,
      in: location,
      required: location === 'path' || required.has(name),
      ...(description ? { description } : {}),
      schema,
    }));
  };

  for (const op of options.operations) {
    const label = `${op.method.toUpperCase()} ${op.path}`;
    if (paths[op.path]?.[op.method]) throw new Error(`${label} is listed twice`);
    if (operationIds.has(op.operationId)) throw new Error(`operationId ${op.operationId} of ${label} is used twice`);
    operationIds.add(op.operationId);
    const declared = Object.keys(op.pathParams?.shape ?? {}).sort();
    if (templateNames(op.path).sort().join() !== declared.join()) throw new Error(`${label}: the path parameters (${templateNames(op.path).join(', ')}) and pathParams (${declared.join(', ')}) differ`);
    if (op.body && !op.body.schema.safeParse(op.body.example).success) throw new Error(`${label}: the request example does not validate against the request schema`);

    const responses = Object.fromEntries(
      Object.entries(op.responses).map(([status, response]) => {
        const content: Record<string, JsonObject> = {};
        if (response.json) content['application/json'] = { schema: convert(response.json, 'output') };
        if (response.binary) content[response.binary] = { schema: { type: 'string', contentMediaType: response.binary } };
        if (response.eventStream) content['text/event-stream'] = { schema: eventStreamSchema(convert(response.eventStream.data, 'output'), response.eventStream.terminator) };
        const headers = Object.entries(response.headers ?? {}).map(([name, h]) => [name, { description: h.description, required: h.required, schema: convert(h.schema, 'output') }]);
        return [
          status,
          {
            description: response.description,
            ...(headers.length ? { headers: Object.fromEntries(headers) } : {}),
            ...(Object.keys(content).length ? { content } : {}),
          },
        ];
      }),
    );

    (paths[op.path] ??= {})[op.method] = {
      operationId: op.operationId,
      tags: [op.tag],
      summary: op.summary,
      ...(op.description ? { description: op.description } : {}),
      parameters: [...parameters('path', op.pathParams), ...parameters('query', op.query)],
      ...(op.files
        ? {
            requestBody: {
              required: true,
              description: op.files.description,
              content: {
                'multipart/form-data': {
                  schema: { type: 'object', required: [op.files.field], properties: { [op.files.field]: { type: 'array', minItems: 1, items: { type: 'string', contentMediaType: 'application/octet-stream' } } } },
                },
              },
            },
          }
        : {}),
      ...(op.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: convert(op.body.schema, 'input'), examples: { example: { value: op.body.example } } } } } }
        : {}),
      responses,
    };
  }

  return {
    openapi: '3.1.0',
    info: { title: options.title, version: options.version, description: options.description },
    tags: options.tags,
    paths,
    components: {
      schemas: components,
      ...(options.bearerAuth ? { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', description: 'The server\'s API_TOKEN: send `Authorization: Bearer <API_TOKEN>`.' } } } : {}),
    },
    ...(options.bearerAuth ? { security: [{ bearerAuth: [] }] } : {}),
  };
}
