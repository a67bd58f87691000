/** Cross-cutting middleware: request ids and logs, the single error handler, metrics, rate limits. */
import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import ratelimit from 'koa-ratelimit';
import type { Logger } from 'pino';
import * as client from 'prom-client';
import { AppError } from '../errors';
import type { AppState } from './api';

const CODES_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  409: 'conflict',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

/**
 * Turns every thrown error into `{error: {code, message, details}}`. Typed AppErrors keep their status;
 * Koa/http-errors (body parser, rate limiter) keep theirs when < 500; anything else is a 500 whose
 * details are logged, never sent.
 */
export function errorHandler(logger: Logger): Middleware<AppState> {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { error: { code: 'not_found', message: `No route for ${ctx.method} ${ctx.path}.` } };
      }
    } catch (error) {
      if (error instanceof AppError) {
        ctx.status = error.status;
        ctx.body = {
          error: {
            code: error.code,
            message: error.message,
            ...(error.details !== undefined ? { details: error.details } : {}),
          },
        };
        return;
      }
      const httpError = error as {
        status?: number;
        expose?: boolean;
        message?: string;
        headers?: Record<string, string>;
      };
      const status = typeof httpError.status === 'number' ? httpError.status : 500;
      if (status < 500) {
        ctx.status = status;
        if (httpError.headers) ctx.set(httpError.headers);
        const message =
          status === 429
            ? 'Too many requests: slow down and retry after the Retry-After header.'
            : (httpError.message ?? 'Bad request');
        ctx.body = { error: { code: CODES_BY_STATUS[status] ?? 'bad_request', message } };
        return;
      }
      logger.error(
        { err: error, requestId: ctx.state.requestId, method: ctx.method, path: ctx.path },
        'unhandled error',
      );
      ctx.status = 500;
      ctx.body = {
        error: {
          code: 'internal',
          message: `Internal error; quote request id ${ctx.state.requestId} when reporting it.`,
        },
      };
    }
  };
}

/** Assigns a request id (or keeps a sane incoming X-Request-Id) and writes one structured log line per request. */
export function requestLog(logger: Logger): Middleware<AppState> {
  return async (ctx, next) => {
    const incoming = ctx.get('x-request-id');
    ctx.state.requestId = /^[A-Za-z0-9._-]{1,64}$/.test(incoming) ? incoming : randomUUID();
    ctx.set('X-Request-Id', ctx.state.requestId);
    const started = process.hrtime.bigint();
    try {
      await next();
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      logger.info(
        {
          requestId: ctx.state.requestId,
          method: ctx.method,
          path: ctx.path,
          status: ctx.status,
          ms: Math.round(ms * 10) / 10,
          userId: ctx.state.user?.id,
        },
        'request',
      );
    }
  };
}

export interface Metrics {
  registry: client.Registry;
  middleware: Middleware<AppState>;
}

export function createMetrics(): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  const duration = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route template',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const middleware: Middleware<AppState> = async (ctx, next) => {
    const end = duration.startTimer();
    try {
      await next();
    } finally {
      // Label by route template, never by raw path: ids in paths would explode the label set.
      const route = (ctx as unknown as { _matchedRoute?: string })._matchedRoute ?? 'unmatched';
      end({ method: ctx.method, route: String(route), status: String(ctx.status) });
    }
  };
  return { registry, middleware };
}

/** In-memory fixed-window limiter per client IP (one process; part 2 can move it to Redis). */
export function rateLimit(name: string, options: { windowMs: number; max: number }): Middleware {
  return ratelimit({
    driver: 'memory',
    db: new Map(),
    duration: options.windowMs,
    max: options.max,
    id: (ctx) => `${name}:${ctx.ip}`,
    throw: true,
    errorMessage: 'Too many requests',
  });
}
