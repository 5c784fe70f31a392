import type dgram from 'node:dgram';
import type net from 'node:net';
import { StartupError } from '../errors.js';
import type { Lifecycle } from './lifecycle.js';

/** What to tell the user when a port cannot be opened: which option to change. */
function explain(error: NodeJS.ErrnoException, port: number, what: string, option: string): StartupError {
  if (error.code === 'EADDRINUSE') {
    return new StartupError(`${what} port ${port} is already in use by another program: stop it or change the option "${option}"`);
  }
  if (error.code === 'EACCES') {
    return new StartupError(
      `${what} port ${port} needs root privileges (ports below 1024): run as root or change the option "${option}" to a port above 1023`,
    );
  }
  if (error.code === 'EADDRNOTAVAIL') {
    return new StartupError(`${what}: the listen address is not available on this host (${error.message})`);
  }
  return new StartupError(`${what} port ${port} could not be opened (option "${option}"): ${error.message}`);
}

export function listenTcp(server: net.Server, port: number, host: string, what: string, option: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => reject(explain(error, port, what, option));
    server.once('error', onError);
    server.listen({ port, host, exclusive: true }, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

export function bindUdp(socket: dgram.Socket, port: number, host: string, what: string, option: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => reject(explain(error, port, what, option));
    socket.once('error', onError);
    socket.bind({ port, address: host, exclusive: true }, () => {
      socket.off('error', onError);
      resolve(socket.address().port);
    });
  });
}

export function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
    // Long-lived streams would otherwise keep close() waiting for ever.
    (server as net.Server & { closeAllConnections?: () => void }).closeAllConnections?.();
  });
}

/** Where a listener opens and what to tell the user when it cannot. */
export interface ListenAddress {
  readonly port: number;
  readonly host: string;
  /** For messages: "web (dashboard)", "HTTP bootstrap". */
  readonly what: string;
  /** The option that sets the port. */
  readonly option: string;
}

/** A TCP server (HTTP or raw) as a part: listens on start, closes every connection on stop. */
export class ListeningServer implements Lifecycle {
  private boundPort: number | undefined;

  constructor(
    readonly server: net.Server,
    private readonly address: ListenAddress,
  ) {}

  /** The port it listens on (the real one when the option said 0). */
  get port(): number {
    if (this.boundPort === undefined) throw new Error(`${this.address.what} is not listening`);
    return this.boundPort;
  }

  async start(): Promise<void> {
    const { port, host, what, option } = this.address;
    this.boundPort = await listenTcp(this.server, port, host, what, option);
  }

  stop(): Promise<void> {
    return closeServer(this.server);
  }
}
