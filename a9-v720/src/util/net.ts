import { networkInterfaces } from 'node:os';

/** `::ffff:1.2.3.4` → `1.2.3.4`; other addresses unchanged. */
export function plainIp(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** `address:port`: the key of a UDP endpoint in maps and log lines. */
export function endpointKey(address: string, port: number): string {
  return `${address}:${port}`;
}

export function isLoopback(address: string | undefined): boolean {
  const ip = plainIp(address);
  return ip === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip);
}

/**
 * The add-on host itself (its demo cameras, local tools): 127.0.0.1 and ::1 only. A LAN host
 * cannot send from these (the kernel drops such packets from outside), so they are exempt
 * from per-source rate limits. Other 127.x addresses are not: tests play LAN hosts with them.
 */
export function isThisHost(address: string | undefined): boolean {
  const ip = plainIp(address);
  return ip === '127.0.0.1' || ip === '::1';
}

/** Every address of this machine's interfaces (loopback included): "this host" for the setup check. */
export function localAddresses(): string[] {
  return Object.values(networkInterfaces()).flatMap((addresses) => (addresses ?? []).map((address) => address.address));
}

/**
 * The first non-internal IPv4 address: what cameras on the LAN can reach when server_ip is
 * not set. Private ranges are preferred over anything else.
 */
export function detectLanIpv4(): string | undefined {
  const candidates: string[] = [];
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) candidates.push(address.address);
    }
  }
  const isPrivate = (ip: string): boolean => /^(10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.)/.test(ip) && !ip.startsWith('172.30.');
  return candidates.find(isPrivate) ?? candidates[0];
}

export function hexPreview(bytes: Buffer, max = 32): string {
  const hex = bytes.subarray(0, max).toString('hex');
  return bytes.length > max ? `${hex}… (${bytes.length} bytes)` : hex;
}
