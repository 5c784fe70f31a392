/**
 * The camera's HTTP bootstrap request, byte for byte as captured (docs/protocol.md §2): a POST
 * with no body and no Content-Length, an extra `version` header, the connection closed by
 * the camera once it has the answer.
 */
import net from 'node:net';
import { randomBytes } from 'node:crypto';

export interface BootstrapAnswer {
  readonly host: string;
  readonly tcpPort: number;
  readonly pwd: string;
}

export function rawBootstrapRequest(deviceId: string, firmware: string, token = '2d8c8b52f1'): string {
  const random = randomBytes(3).toString('hex').toUpperCase();
  return (
    `POST /app/api/ApiServer/getA9ConfCheck?devicesCode=${deviceId}&random=${random}&token=${token} HTTP/1.1\r\n` +
    `Host: v720.naxclow.com\r\n` +
    `version: ${firmware}\r\n` +
    `\r\n`
  );
}

/** Sends a raw HTTP request and returns status and body once the whole body has arrived. */
export function rawHttpExchange(
  host: string,
  port: number,
  request: string | Buffer,
  options: { localAddress?: string; timeoutMs?: number } = {},
): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, localAddress: options.localAddress });
    const chunks: Buffer[] = [];
    let settled = false;
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error) {
        reject(error);
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const headers = split >= 0 ? text.slice(0, split) : text;
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(headers)?.[1] ?? 0);
      resolve({ status, headers, body: split >= 0 ? text.slice(split + 4) : '' });
    };
    socket.setTimeout(options.timeoutMs ?? 5000, () => finish(new Error(`HTTP exchange with ${host}:${port} timed out`)));
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      const text = Buffer.concat(chunks).toString('latin1');
      const split = text.indexOf('\r\n\r\n');
      if (split < 0) return;
      const length = /\r\ncontent-length:\s*(\d+)/i.exec(text.slice(0, split))?.[1];
      if (length !== undefined && text.length - split - 4 >= Number(length)) finish();
    });
    socket.on('end', () => finish());
    socket.on('error', (error) => finish(error));
  });
}

export async function bootstrap(
  host: string,
  httpPort: number,
  deviceId: string,
  firmware: string,
  localAddress?: string,
): Promise<BootstrapAnswer> {
  const answer = await rawHttpExchange(host, httpPort, rawBootstrapRequest(deviceId, firmware), { localAddress });
  if (answer.status !== 200) throw new Error(`bootstrap answered HTTP ${answer.status}`);
  const parsed = JSON.parse(answer.body) as { data?: { host?: unknown; tcpPort?: unknown; pwd?: unknown } };
  const data = parsed.data;
  if (typeof data?.host !== 'string' || typeof data.tcpPort !== 'number' || typeof data.pwd !== 'string') {
    throw new Error(`bootstrap answer lacks host/tcpPort/pwd: ${answer.body.slice(0, 200)}`);
  }
  return { host: data.host, tcpPort: data.tcpPort, pwd: data.pwd };
}

function rawPost(path: string, firmware: string): string {
  return `POST ${path} HTTP/1.1\r\nHost: v720.naxclow.com\r\nversion: ${firmware}\r\n\r\n`;
}

async function cloudCall(host: string, httpPort: number, path: string, firmware: string, localAddress?: string): Promise<unknown> {
  const answer = await rawHttpExchange(host, httpPort, rawPost(path, firmware), { localAddress });
  if (answer.status !== 200) throw new Error(`${path.split('?')[0]} answered HTTP ${answer.status}`);
  const parsed = JSON.parse(answer.body) as { data?: unknown };
  return parsed.data;
}

/**
 * First boot of firmware 202212011602 (docs/protocol.md §2, §8): `registerDevices` hands out a device id,
 * which the camera keeps for good, then `confirm` acknowledges it. Returns the id to use from now
 * on (the handed-out one, or `currentId` when the answer holds no usable id).
 */
export async function firstBootRegistration(
  host: string,
  httpPort: number,
  currentId: string,
  firmware: string,
  localAddress?: string,
): Promise<string> {
  const random = () => randomBytes(3).toString('hex').toUpperCase();
  const data = await cloudCall(
    host,
    httpPort,
    `/app/api/ApiSysDevicesBatch/registerDevices?batch=A9_X4_V12&random=${random()}&token=2d8c8b52f1`,
    firmware,
    localAddress,
  );
  const id = typeof data === 'string' && /^[A-Za-z0-9]{4,32}$/.test(data) ? data : currentId;
  await cloudCall(
    host,
    httpPort,
    `/app/api/ApiSysDevicesBatch/confirm?devicesCode=${id}&random=${random()}&token=2d8c8b52f1`,
    firmware,
    localAddress,
  );
  return id;
}

/** Firmware 202411152039 asks this instead of getA9ConfCheck and then goes to MQTT only (docs/protocol.md §8). */
export async function getDevInfo(host: string, httpPort: number, deviceId: string, firmware: string, localAddress?: string): Promise<void> {
  const random = randomBytes(3).toString('hex').toUpperCase();
  await cloudCall(
    host,
    httpPort,
    `/app/api/ApiSysDevices/getDevInfo?devicesCode=${deviceId}&random=${random}&token=2d8c8b52f1`,
    firmware,
    localAddress,
  );
}
