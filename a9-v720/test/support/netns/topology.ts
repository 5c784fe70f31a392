/**
 * Three network namespaces shaped like a Home Assistant OS box on a LAN:
 *
 *   LAN (camera, viewer) 192.168.77.20 ── 192.168.77.1 HOST ── 172.30.33.1 … 172.30.33.2 CONTAINER
 *
 * The host namespace forwards the add-on's mapped ports into the container with nftables DNAT
 * and masquerades the container's own outgoing traffic, as Docker does for the Supervisor's
 * network. The LAN has no route to the container network, like a real LAN. Needs root, `ip` and
 * `nft`; every name carries a unique suffix and `destroy()` removes all of it.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export const LAN_HOST_IP = '192.168.77.1';
export const LAN_CAMERA_IP = '192.168.77.20';
export const DOCKER_GATEWAY_IP = '172.30.33.1';
export const CONTAINER_IP = '172.30.33.2';

export interface PortForward {
  readonly protocol: 'tcp' | 'udp';
  readonly hostPort: number;
  readonly containerPort: number;
}

export interface Topology {
  readonly host: string;
  readonly container: string;
  readonly lan: string;
  destroy(): void;
}

/** Why the test cannot run here, or undefined when it can. */
export function netnsUnavailableReason(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces and nftables)';
  for (const tool of ['ip', 'nft']) {
    try {
      execFileSync(tool, ['-V'], { stdio: 'ignore' });
    } catch {
      return `"${tool}" is not installed (scripts/setup.sh --test installs iproute2 and nftables)`;
    }
  }
  return undefined;
}

const run = (command: string, args: string[], input?: string): void => {
  execFileSync(command, args, { stdio: ['pipe', 'ignore', 'pipe'], input });
};

export function createTopology(forwards: readonly PortForward[]): Topology {
  const id = randomBytes(3).toString('hex');
  const host = `a9h-${id}`;
  const container = `a9c-${id}`;
  const lan = `a9l-${id}`;
  // veth names: at most 15 characters.
  const hostToContainer = `a9hc${id}`;
  const containerSide = `a9ch${id}`;
  const hostToLan = `a9hl${id}`;
  const lanSide = `a9lh${id}`;
  const created: string[] = [];
  const destroy = (): void => {
    // Deleting a namespace deletes its veth ends, their peers, and its nftables rules.
    for (const ns of created.reverse()) {
      try {
        run('ip', ['netns', 'del', ns]);
      } catch {
        // already gone
      }
    }
    created.length = 0;
  };
  try {
    for (const ns of [host, container, lan]) {
      run('ip', ['netns', 'add', ns]);
      created.push(ns);
      run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    run('ip', ['-n', host, 'link', 'add', hostToContainer, 'type', 'veth', 'peer', 'name', containerSide, 'netns', container]);
    run('ip', ['-n', host, 'link', 'add', hostToLan, 'type', 'veth', 'peer', 'name', lanSide, 'netns', lan]);
    run('ip', ['-n', host, 'addr', 'add', `${DOCKER_GATEWAY_IP}/24`, 'dev', hostToContainer]);
    run('ip', ['-n', host, 'addr', 'add', `${LAN_HOST_IP}/24`, 'dev', hostToLan]);
    run('ip', ['-n', container, 'addr', 'add', `${CONTAINER_IP}/24`, 'dev', containerSide]);
    run('ip', ['-n', lan, 'addr', 'add', `${LAN_CAMERA_IP}/24`, 'dev', lanSide]);
    for (const [ns, dev] of [
      [host, hostToContainer],
      [host, hostToLan],
      [container, containerSide],
      [lan, lanSide],
    ] as const) {
      run('ip', ['-n', ns, 'link', 'set', dev, 'up']);
    }
    run('ip', ['-n', container, 'route', 'add', 'default', 'via', DOCKER_GATEWAY_IP]);
    run('ip', ['netns', 'exec', host, 'sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    const dnat = forwards
      .map(
        (f) =>
          `    iifname "${hostToLan}" ip daddr ${LAN_HOST_IP} ${f.protocol} dport ${f.hostPort} dnat to ${CONTAINER_IP}:${f.containerPort}`,
      )
      .join('\n');
    run(
      'ip',
      ['netns', 'exec', host, 'nft', '-f', '-'],
      `table ip a9_supervisor_nat {
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
${dnat}
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    ip saddr ${CONTAINER_IP}/24 oifname != "${hostToContainer}" masquerade
  }
}
`,
    );
  } catch (error) {
    destroy();
    throw error;
  }
  return { host, container, lan, destroy };
}
