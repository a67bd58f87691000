/**
 * Route definitions that carry their own zod schemas: the same schemas validate requests at run time and
 * generate the OpenAPI document (GET /api/v1/openapi.json), so the two cannot drift apart.
 */
import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { z } from 'zod';
import { UnauthorizedError, ValidationError, type FieldProblem } from '../errors';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface AuthenticatedUser {
  id: string;
}

export interface AppState {
  user?: AuthenticatedUser;
  requestId: string;
  /** A multipart upload's file part (models/upload.ts). */
  upload?: { field: string; fileName: string; bytes: Buffer };
}

export type ApiContext = Context & { state: AppState };

export interface RouteInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** Present when the route's `auth` is 'required' (and when a valid token was sent to an 'optional' one). */
  user: AuthenticatedUser | undefined;
}

export interface RouteSpec<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  method: HttpMethod;
  /** Koa-router path relative to /api/v1, e.g. '/projects/:projectId'. */
  path: string;
  summary: string;
  tag: string;
  auth: 'required' | 'optional' | 'none';
  params?: P;
  query?: Q;
  body?: B;
  /** Schema of the success body, for the OpenAPI document. */
  response?: z.ZodType;
  /** Success status (default 200; 204 sends no body). */
  status?: number;
  /** Extra middleware run before validation (rate limits). */
  before?: Middleware[];
  /** Other request media types the route accepts besides JSON, for OpenAPI (e.g. multipart/form-data). */
  requestContent?: Record<string, { schema: unknown }>;
  /** Extra request headers documented in OpenAPI (e.g. If-Match). */
  headers?: { name: string; required: boolean; description: string }[];
  handler(
    ctx: ApiContext,
    input: RouteInput<z.output<P>, z.output<Q>, z.output<B>>,
  ): Promise<unknown> | unknown;
}

type AnySpec = RouteSpec<z.ZodType, z.ZodType, z.ZodType>;

/** Collects routes for one router and the OpenAPI document describing them. */
export class Api {
  readonly router: Router<AppState>;
  private readonly specs: AnySpec[] = [];

  constructor(readonly prefix: string) {
    this.router = new Router<AppState>({ prefix });
  }

  route<
    P extends z.ZodType = z.ZodObject<Record<string, never>>,
    Q extends z.ZodType = z.ZodObject<Record<string, never>>,
    B extends z.ZodType = z.ZodUnknown,
  >(spec: RouteSpec<P, Q, B>): void {
    this.specs.push(spec as unknown as AnySpec);
    const handle: Middleware = async (ctx) => {
      const apiCtx = ctx as ApiContext;
      const user = apiCtx.state.user;
      if (spec.auth === 'required' && !user) throw new UnauthorizedError();
      const params = parse(spec.params, ctx.params, 'path');
      const query = parse(spec.query, ctx.query, 'query');
      const body = parse(spec.body, (ctx.request as { body?: unknown }).body, 'body');
      const result = await spec.handler(apiCtx, { params, query, body, user } as never);
      if (result === undefined && ctx.status >= 300 && ctx.status < 400) return; // the handler redirected
      ctx.status = spec.status ?? 200;
      if (ctx.status !== 204 && result !== undefined) ctx.body = result;
    };
    this.router[spec.method](spec.path, ...(spec.before ?? []), handle);
  }

  /** OpenAPI 3.1 document generated from the registered schemas. */
  openapi(info: { title: string; version: string }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    for (const spec of this.specs) {
      const openapiPath = this.prefix + spec.path.replace(/:([A-Za-z_]+)/g, '{$1}');
      const parameters: unknown[] = [];
      for (const [location, schema] of [
        ['path', spec.params],
        ['query', spec.query],
      ] as const) {
        if (!schema || !(schema instanceof z.ZodObject)) continue;
        for (const [name, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
          parameters.push({
            name,
            in: location,
            required: location === 'path' || !field.safeParse(undefined).success,
            schema: toJsonSchema(field),
          });
        }
      }
      for (const header of spec.headers ?? []) {
        parameters.push({
          name: header.name,
          in: 'header',
          required: header.required,
          description: header.description,
          schema: { type: 'string' },
        });
      }
      const status = String(spec.status ?? 200);
      const operation: Record<string, unknown> = {
        summary: spec.summary,
        tags: [spec.tag],
        parameters,
        responses: {
          [status]: {
            description: 'Success',
            ...(spec.response && status !== '204'
              ? { content: { 'application/json': { schema: toJsonSchema(spec.response, 'output') } } }
              : {}),
          },
          default: {
            description: 'Error',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        },
      };
      if (spec.body)
        operation.requestBody = {
          required: true,
          content: {
            'application/json': { schema: toJsonSchema(spec.body) },
            ...(spec.requestContent ?? {}),
          },
        };
      if (spec.auth !== 'none')
        operation.security = spec.auth === 'required' ? [{ bearer: [] }] : [{ bearer: [] }, {}];
      (paths[openapiPath] ??= {})[spec.method] = operation;
    }
    return {
      openapi: '3.1.0',
      info,
      paths,
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
        schemas: { Error: toJsonSchema(errorBodySchema, 'output') },
      },
    };
  }
}

export const errorBodySchema = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): unknown {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

function parse<S extends z.ZodType>(
  schema: S | undefined,
  value: unknown,
  location: 'path' | 'query' | 'body',
): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value ?? (location === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const problems: FieldProblem[] = result.error.issues.map((issue) => ({
    field: [location, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw new ValidationError(
    `Invalid request ${location}: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`,
    problems,
  );
}
