import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Logger } from '../core/log.js';
import { API_PREFIX, type ApiRequest, type ApiResponse } from './handler.js';

/** Node's HTTP objects to and from the API's plain request and response (the handler sees no sockets). */

/** True for a request under /api/ (everything there is the API's, including its 404s). */
export function isApiRequest(req: IncomingMessage): boolean {
  return (req.url ?? '').startsWith(API_PREFIX.slice(0, -3)); // "/api/"
}

export function toApiRequest(req: IncomingMessage): ApiRequest {
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  return {
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers: { authorization: header('authorization'), accept: header('accept'), 'accept-encoding': header('accept-encoding'), host: header('host'), 'x-forwarded-proto': header('x-forwarded-proto') },
  };
}

/**
 * A request listener for /api/: hands the request to `answer` (here, or another thread) and writes
 * what comes back. A request body is never read: the API is GET only.
 */
export function apiListener(answer: (request: ApiRequest) => Promise<ApiResponse>, logger: Logger) {
  return (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    answer(toApiRequest(req)).then(
      (response) => {
        const body = response.gzipped ? Buffer.from(response.gzipped.buffer, response.gzipped.byteOffset, response.gzipped.byteLength) : response.body;
        res.writeHead(response.status, { ...response.headers, 'content-length': String(Buffer.byteLength(body)) });
        res.end(body);
      },
      (error) => {
        logger.error({ err: (error as Error).message }, 'api: no answer');
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8' }).end('{"error":{"code":"InternalError","message":"Something went wrong."}}');
      },
    );
  };
}

/**
 * Keeps idle connections 65 s, for `serve` and `api` alike: longer than a load balancer's idle timeout
 * (60 s is common), so that it never sends a request on a connection Node's 5 s default has just closed
 * (for a POST, a 502; the bench's fifty clients lost requests that way: "other side closed").
 */
export function keepIdleConnections(server: Server): void {
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
}
