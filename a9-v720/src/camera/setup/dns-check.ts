/**
 * Asks DNS, from the add-on, for the names the cameras look up (docs/protocol.md §1, §8): the answers
 * show whether the user's DNS rewrite is in place. The resolver is injectable: tests point it at
 * a tiny DNS server on 127.0.0.1; in the add-on it is the system's (the Supervisor's DNS, which
 * forwards to the DNS servers of the host). What the answers mean is diagnosis.ts's job.
 */
import { Resolver } from 'node:dns/promises';

/**
 * `bootstrap`: without it no camera finds the add-on. `cloud`: the camera's other cloud hosts
 * (MQTT broker, firmware downloads, the encrypted xcthings protocol); left on the vendor cloud
 * they let the camera talk past the add-on and fetch firmware updates.
 */
export type HostnameRole = 'bootstrap' | 'cloud';

export interface CameraHostname {
  readonly name: string;
  readonly role: HostnameRole;
}

/** Every name a camera was seen looking up, the one it cannot do without first. */
export const CAMERA_HOSTNAMES: readonly CameraHostname[] = [
  { name: 'v720.naxclow.com', role: 'bootstrap' },
  { name: 'v720.p2p.naxclow.com', role: 'cloud' },
  { name: 'p2p.v720.naxclow.com', role: 'cloud' },
  { name: 'dl2.naxclow.com', role: 'cloud' },
  { name: 'home.naxclow.com', role: 'cloud' },
  { name: 'dl2.naxclow.com.cn', role: 'cloud' },
  { name: 'logo.naxclow.com.cn', role: 'cloud' },
  { name: 'prod.glbs.xcthings.com', role: 'cloud' },
];

/** What DNS answered for one name. */
export type DnsOutcome =
  | { readonly kind: 'addresses'; readonly addresses: readonly string[] }
  /** NXDOMAIN: the name does not exist for this DNS server (blocked, or a typo in a rewrite). */
  | { readonly kind: 'nxdomain' }
  /** The name exists but has no IPv4 address. */
  | { readonly kind: 'no-address' }
  /** No usable answer: timeout, refused, server failure (`code` is c-ares' error code). */
  | { readonly kind: 'failed'; readonly code: string };

export interface DnsAnswer extends CameraHostname {
  readonly outcome: DnsOutcome;
}

/** The one call we need from a resolver (node:dns's Resolver has it). */
export interface DnsResolver {
  resolve4(hostname: string): Promise<string[]>;
}

/**
 * The system's resolver, or one asking `servers` (`"127.0.0.1:5353"`, tests and `--dns-server`).
 * Short timeouts: a DNS server that does not answer is a finding, not something to wait for.
 */
export function createResolver(servers?: readonly string[], timeoutMs = 2000): DnsResolver {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 2 });
  if (servers && servers.length > 0) resolver.setServers([...servers]);
  return resolver;
}

const CODE_OF = (error: unknown): string =>
  typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string' ? error.code : 'ERROR';

/** One name's answer; never throws. */
export async function lookupName(resolver: DnsResolver, hostname: CameraHostname): Promise<DnsAnswer> {
  try {
    const addresses = await resolver.resolve4(hostname.name);
    return { ...hostname, outcome: addresses.length > 0 ? { kind: 'addresses', addresses } : { kind: 'no-address' } };
  } catch (error) {
    const code = CODE_OF(error);
    if (code === 'ENOTFOUND') return { ...hostname, outcome: { kind: 'nxdomain' } };
    if (code === 'ENODATA') return { ...hostname, outcome: { kind: 'no-address' } };
    return { ...hostname, outcome: { kind: 'failed', code } };
  }
}

/** Every camera name at once (eight small queries); never throws. */
export function lookupCameraNames(resolver: DnsResolver, names: readonly CameraHostname[] = CAMERA_HOSTNAMES): Promise<DnsAnswer[]> {
  return Promise.all(names.map((hostname) => lookupName(resolver, hostname)));
}
