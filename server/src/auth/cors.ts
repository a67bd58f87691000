/**
 * CORS for the API, so JupyterLab (another origin) can call it from the browser. The API authenticates by
 * `Authorization: Bearer` only, never by cookies, so a wildcard origin without credentials gives a foreign
 * page nothing it could not already do with a token it holds (Fetch standard, CORS protocol: `*` is
 * refused with credentials, which we never use). ETag is exposed for auto-save; preflights are cached.
 */
import type { Middleware } from 'koa';

export function cors(): Middleware {
  return async (ctx, next) => {
    if (!ctx.get('origin')) return next();
    ctx.set('Access-Control-Allow-Origin', '*');
    ctx.set('Access-Control-Expose-Headers', 'ETag, Retry-After, Location');
    if (ctx.method === 'OPTIONS' && ctx.get('access-control-request-method')) {
      ctx.set('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE');
      ctx.set('Access-Control-Allow-Headers', 'Authorization, Content-Type, If-Match');
      ctx.set('Access-Control-Max-Age', '600');
      ctx.status = 204;
      return;
    }
    // Helmet's default same-origin resource policy would hide API answers from the JupyterLab origin.
    await next();
    ctx.set('Cross-Origin-Resource-Policy', 'cross-origin');
  };
}
