/**
 * The address and ports handed to cameras: bootstrap `host` / `tcpPort` and the NAT request's
 * `cliNatIp` / `cliNatPort` (docs/protocol.md §2, §4). Behind the Supervisor's port mapping the
 * container's own address and ports mean nothing to a camera on the LAN: it must be sent to
 * the host's LAN address and to the host-side ports the user mapped. Pure: no sockets.
 */
import { isIPv4 } from 'node:net';

/**
 * Container port (`"6123/udp"`) → the host port the user mapped it to, `null` where the user
 * disabled it. Empty when not running behind the Supervisor's mapping.
 */
export type PortMapping = Readonly<Record<string, number | null>>;

/** What the Supervisor told us about how the LAN reaches this add-on. */
export interface HostNetwork {
  /** The host's LAN IPv4; undefined when unknown. */
  readonly hostAddress?: string;
  readonly ports: PortMapping;
  /** The Supervisor could not tell the mapping (`ports` is then empty, as with host networking). */
  readonly portsUnknown?: boolean;
}

export interface ListeningPorts {
  readonly http: number;
  readonly tcp: number;
  readonly web: number;
}

/**
 * The address cameras are sent to, resolved once at start (config.ts `resolveCameraAddress`):
 * the `server_ip` option, else the host's LAN address from the Supervisor, else a detected LAN
 * IPv4, else 127.0.0.1.
 */
export interface CameraAddress {
  readonly address: string;
  readonly source: 'server_ip' | 'supervisor' | 'detected';
}

export interface CameraFacingOptions {
  readonly address: CameraAddress;
  /** The host-side port mapping (its `hostAddress` is already part of `address`). */
  readonly network: HostNetwork;
  /** The ports we listen on inside the container (known once listening). */
  readonly listening: () => ListeningPorts;
}

export type AddressSource = CameraAddress['source'] | 'connection';

export class CameraFacing {
  constructor(private readonly options: CameraFacingOptions) {}

  /**
   * The IPv4 cameras must connect to. `localAddress` is our address as this camera reached it:
   * right outside a container, but the container's own address behind DNAT, so the host's LAN
   * address from the Supervisor comes first.
   */
  address(localAddress?: string): { address: string; source: AddressSource } {
    const resolved = this.options.address;
    // server_ip and the Supervisor's host address win; a detected one only when the camera's own view is not usable.
    if (resolved.source !== 'detected') return resolved;
    if (localAddress && isIPv4(localAddress) && localAddress !== '0.0.0.0') return { address: localAddress, source: 'connection' };
    return resolved;
  }

  /** Host port for a container port: itself when not mapped, null when the user disabled it. */
  hostPort(containerPort: number, protocol: 'tcp' | 'udp'): number | null {
    const mapped = this.options.network.ports[`${containerPort}/${protocol}`];
    return mapped === undefined ? containerPort : mapped;
  }

  /** The bootstrap `tcpPort`. A disabled mapping still gets the container port: nothing better exists. */
  tcpPort(): number {
    const port = this.options.listening().tcp;
    return this.hostPort(port, 'tcp') ?? port;
  }

  /** The NAT request's `cliNatPort`: where the camera sends its UDP media. */
  udpPort(): number {
    const port = this.options.listening().tcp;
    return this.hostPort(port, 'udp') ?? port;
  }

  /** Host port of the web server for LAN media URLs; null when the user disabled it. */
  webPort(): number | null {
    return this.hostPort(this.options.listening().web, 'tcp');
  }

  /** The container ports cameras need but the user disabled (for one clear warning at start). */
  disabledCameraPorts(): string[] {
    const { http, tcp } = this.options.listening();
    const needed: Array<[number, 'tcp' | 'udp']> = [
      [http, 'tcp'],
      [tcp, 'tcp'],
      [tcp, 'udp'],
    ];
    return needed.filter(([port, protocol]) => this.hostPort(port, protocol) === null).map(([port, protocol]) => `${port}/${protocol}`);
  }
}
