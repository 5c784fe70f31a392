/**
 * The one `clientError` handler of our HTTP servers (bootstrap and web): malformed or too slow
 * requests from the LAN are answered 400 and closed, with one log line per kind per minute
 * (like the UDP side), since scanners and slowloris clients can come by the thousand.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../log.js';
import { plainIp } from './net.js';
import { RateLimitedLog } from './rate-limited-log.js';

export interface ClientErrorOptions {
  /** Which port, for the log line ("bootstrap", "web"). */
  readonly port: string;
  /** What the server's timeout covers: the whole request, or only its headers (streaming ports). */
  readonly timeoutCovers: 'request' | 'request headers';
}

export function handleClientErrors(server: http.Server, logger: Logger, options: ClientErrorOptions): void {
  const clientErrors = new RateLimitedLog(logger, { intervalMs: 60_000 });
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const ip = plainIp(socket.remoteAddress);
    // Per kind, not per client: a flood from many addresses must not flood the log either.
    if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
      // Idle or slowloris clients: say what happened instead of calling it malformed.
      clientErrors.warn(
        'timeout',
        { ip, code: error.code },
        `HTTP client ${ip} on the ${options.port} port did not finish its ${options.timeoutCovers} in time (idle or too slow); closing the connection`,
      );
    } else if (error.code !== 'ECONNRESET') {
      clientErrors.warn(
        'malformed',
        { ip, err: error.message, code: error.code },
        `malformed HTTP request on the ${options.port} port from ${ip}: ${error.code ?? error.message}`,
      );
    }
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    socket.destroy();
  });
}
