/**
 * One camera's live session over its TCP control channel: a small explicit state machine
 * (registered → nat → probing → command → streaming) that runs the handshake of
 * docs/protocol.md §4 on demand and turns setting commands into 301 forwards confirmed by echo.
 * No sockets here: it talks through a ControlLink (TCP) and a UdpLink (media channel).
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.js';
import {
  ContentCode,
  encodeDeviceStatus,
  encodeForward,
  encodeNatRequest,
  encodeProbeRequest,
  BASE_INFO_LIMITS,
  parseBaseInfo,
  type ForwardContent,
  type NatResultMessage,
} from '../protocol/messages.js';
import { STATE_REPORTING_CODES } from '../protocol/settings.js';
import { CameraTimeoutError, CameraUnavailableError } from './control.js';
import type { CameraRegistry, ProtocolState } from './registry.js';
import { errorMessage } from '../util/error-message.js';

/** The TCP side, implemented by the connection. */
export interface ControlLink {
  send(packet: Buffer): void;
  close(reason: string): void;
  /** Our address as the camera reached it (the container's own address behind DNAT). */
  readonly localAddress: string;
  readonly remoteAddress: string;
  /** performance.now() of the last bytes received: how long the camera has been silent. */
  readonly lastActivityAt: number;
}

/** The UDP side, implemented by the media channel. */
export interface UdpLink {
  send(packet: Buffer, address: string, port: number): void;
  readonly port: number;
}

export interface UdpEndpoint {
  readonly address: string;
  readonly port: number;
}

/**
 * Where a camera must send its UDP, given our address as it reached us on TCP: what the NAT
 * request (11) carries as `cliNatIp` / `cliNatPort`. Behind a port mapping this is the host's
 * LAN address and mapped port, never the container's.
 */
export type NatTarget = (localAddress: string) => UdpEndpoint;

export interface SessionTimeouts {
  /** Waiting for the camera's UDP probe after the NAT request. */
  readonly probeMs: number;
  /** Waiting for the second 51 after our 50; the handshake goes on without it. */
  readonly reprobeMs: number;
  /** Waiting for a 301 echo (base info, settings, stream open). */
  readonly echoMs: number;
}

export const DEFAULT_SESSION_TIMEOUTS: SessionTimeouts = { probeMs: 6000, reprobeMs: 1500, echoMs: 5000 };

interface EchoWaiter {
  readonly code: number;
  readonly resolve: (content: ForwardContent) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

/** Content codes whose echo carries device state worth merging into base info: 4 and the reported settings. */
const STATE_CODES: ReadonlySet<number> = new Set([ContentCode.BaseInfo, ...STATE_REPORTING_CODES]);

export class CameraSession {
  private state: ProtocolState = 'registered';
  private closed = false;
  /** Identifies us in 301 forwards; fixed per session, as the vendor app's is per login. */
  private readonly cliTarget = randomBytes(16).toString('hex');
  private readonly cliToken = randomBytes(4).toString('hex');
  private commandMode: Promise<void> | undefined;
  private probeWaiters: Array<(endpoint: UdpEndpoint) => void> = [];
  private echoWaiters: EchoWaiter[] = [];
  /** Serialises stream open/close so a quick close-open cannot interleave on the wire. */
  private streamChain: Promise<unknown> = Promise.resolve();
  private streamWanted = false;
  /** Base-info fields already reported as left out: one log line per field, not per message. */
  private readonly reportedDrops = new Set<string>();

  constructor(
    readonly cameraId: string,
    private readonly link: ControlLink,
    private readonly udp: UdpLink,
    private readonly registry: CameraRegistry,
    /** The camera's logger: every line carries its id (`camera`), so messages do not repeat it. */
    readonly log: Logger,
    private readonly timeouts: SessionTimeouts = DEFAULT_SESSION_TIMEOUTS,
    private readonly natTarget: NatTarget = (localAddress) => ({ address: localAddress, port: udp.port }),
  ) {}

  get protocolState(): ProtocolState {
    return this.state;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get isStreaming(): boolean {
    return this.state === 'streaming';
  }

  /** The IP of the camera's TCP connection: its UDP probes must come from the same address. */
  get peerAddress(): string {
    return this.link.remoteAddress;
  }

  /** How long the TCP connection has been silent (heartbeats come every 5 s). */
  get silentForMs(): number {
    return performance.now() - this.link.lastActivityAt;
  }

  /** A handshake we started is waiting for the camera's UDP probe (51): only then may one bind. */
  get awaitingProbe(): boolean {
    return !this.closed && this.probeWaiters.length > 0;
  }

  // ---- input from the wire ----------------------------------------------------------

  /** UDP 51 from this camera (the media channel matched devTarget to us). */
  onProbe(endpoint: UdpEndpoint): void {
    if (this.closed) return;
    const waiters = this.probeWaiters;
    this.probeWaiters = [];
    for (const waiter of waiters) waiter(endpoint);
  }

  onNatResult(message: NatResultMessage): void {
    this.log.debug({ status: message.status, devIp: message.devIp, devPort: message.devPort }, 'NAT result (12)');
  }

  /** Base info or a setting echo: the usable fields go to the registry, the others to one log line. */
  private mergeState(content: ForwardContent): void {
    const { info, dropped } = parseBaseInfo(content);
    this.registry.mergeBaseInfo(this.cameraId, info);
    // Bounded: a camera inventing new field names cannot grow this set or fill the log.
    if (this.reportedDrops.size >= BASE_INFO_LIMITS.fields) return;
    const fresh = dropped.filter(({ field }) => !this.reportedDrops.has(field));
    if (fresh.length === 0) return;
    for (const { field } of fresh) this.reportedDrops.add(field);
    const shown = fresh.slice(0, 8).map(({ field, reason }) => `${field} (${reason})`);
    const more = fresh.length > shown.length ? `; and ${fresh.length - shown.length} more` : '';
    this.log.warn(
      { code: content.code, dropped: fresh },
      `sent state (301/${content.code}) with fields left out: ${shown.join('; ')}${more}`,
    );
  }

  /** A 301 from the camera: an echo to a command we sent, or unsolicited state. */
  onForward(content: ForwardContent): void {
    if (STATE_CODES.has(content.code)) this.mergeState(content);
    const index = this.echoWaiters.findIndex((waiter) => waiter.code === content.code);
    if (index >= 0) {
      const [waiter] = this.echoWaiters.splice(index, 1);
      if (waiter) {
        clearTimeout(waiter.timer);
        waiter.resolve(content);
      }
    } else if (!STATE_CODES.has(content.code)) {
      this.log.debug({ content }, `sent forward content code ${content.code}`);
    }
  }

  /** Closes the TCP connection itself (a newer connection of the same camera replaced it). */
  disconnect(reason: string): void {
    this.close(reason);
    this.link.close(reason);
  }

  /** The TCP connection is gone: fail everything waiting on this session. */
  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    const error = new CameraUnavailableError(this.cameraId, 'offline');
    for (const waiter of this.echoWaiters) {
      clearTimeout(waiter.timer);
      waiter.reject(error);
    }
    this.echoWaiters = [];
    this.probeWaiters = [];
    this.log.debug({ reason }, `session closed: ${reason}`);
  }

  // ---- what adapters ask for ----------------------------------------------------------

  /** Runs steps 2–5 of the working order once; concurrent callers share the same run. */
  ensureCommandMode(): Promise<void> {
    if (this.closed) return Promise.reject(new CameraUnavailableError(this.cameraId, 'offline'));
    if (this.state === 'command' || this.state === 'streaming') return Promise.resolve();
    if (!this.commandMode) {
      this.commandMode = this.runHandshake().catch((error: unknown) => {
        this.commandMode = undefined;
        if (!this.closed) this.setState('registered');
        throw error;
      });
    }
    return this.commandMode;
  }

  /** Sends a 301 forward (after the handshake) and resolves with the camera's echo. */
  async sendForward(content: ForwardContent, what = `command ${content.code}`): Promise<ForwardContent> {
    await this.ensureCommandMode();
    return this.forwardAndWait(content, what);
  }

  /** Opens audio+video (301/3). Idempotent. */
  openStream(): Promise<void> {
    this.streamWanted = true;
    return this.chainStream(async () => {
      if (!this.streamWanted || this.state === 'streaming') return;
      await this.sendForward({ code: ContentCode.OpenMedia }, 'opening the stream (301/3)');
      this.setState('streaming');
    });
  }

  /** Closes audio+video (301/0); the TCP session stays. Idempotent. */
  closeStream(): Promise<void> {
    this.streamWanted = false;
    return this.chainStream(async () => {
      if (this.streamWanted || this.state !== 'streaming') return;
      this.setState('command');
      // The echo is nice to have; media stopping is what matters, so do not fail on silence.
      await this.forwardAndWait({ code: ContentCode.CloseMedia }, 'closing the stream (301/0)').catch((error: unknown) => {
        this.log.debug({ err: errorMessage(error) }, 'did not echo 301/0');
      });
    });
  }

  /** Forgets command mode so the next request re-runs the handshake (the watchdog's tool). */
  resetHandshake(): void {
    if (this.closed) return;
    this.commandMode = undefined;
    this.setState('registered');
  }

  // ---- internals ---------------------------------------------------------------------

  private chainStream(step: () => Promise<void>): Promise<void> {
    const run = this.streamChain.then(step, step);
    this.streamChain = run.catch(() => undefined);
    return run;
  }

  private async runHandshake(): Promise<void> {
    const nat = this.natTarget(this.link.localAddress);
    this.setState('nat');
    this.log.debug(
      { natIp: nat.address, natPort: nat.port, localAddress: this.link.localAddress },
      `NAT request (11) asks for UDP to ${nat.address}:${nat.port} (reached us on ${this.link.localAddress})`,
    );
    // Step 2: ask the camera to open the UDP data channel towards us.
    const probe = this.waitForProbe(this.timeouts.probeMs, 'no UDP probe (51) after the NAT request (11)');
    this.link.send(
      encodeNatRequest({
        cliTarget: this.cliTarget,
        cliToken: this.cliToken,
        cliIp: nat.address,
        cliPort: nat.port,
        cliNatIp: nat.address,
        cliNatPort: nat.port,
      }),
    );
    // Steps 3–4: the media channel answers 20 with 21; the 51 binds the camera's UDP address.
    const endpoint = await probe;
    this.setState('probing');
    const reprobe = this.waitForProbe(this.timeouts.reprobeMs, 'no second probe');
    this.udp.send(encodeProbeRequest(), endpoint.address, endpoint.port);
    await reprobe.catch(() => {
      // Some firmware answers 50 late or not at all; the first 51 already bound the address.
    });
    // Step 5: command mode, retransmission mode, base info.
    this.link.send(encodeDeviceStatus());
    this.link.send(encodeForward(this.cliTarget, { code: ContentCode.RetransmitMode }));
    await this.forwardAndWait({ code: ContentCode.BaseInfo, unixTimer: Math.floor(Date.now() / 1000) }, 'base info (301/4)');
    this.setState('command');
    this.log.info({ udp: `${endpoint.address}:${endpoint.port}` }, `in command mode (UDP ${endpoint.address}:${endpoint.port})`);
  }

  private waitForProbe(timeoutMs: number, what: string): Promise<UdpEndpoint> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.probeWaiters = this.probeWaiters.filter((w) => w !== waiter);
        reject(new CameraTimeoutError(this.cameraId, `${what} within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = (endpoint: UdpEndpoint): void => {
        clearTimeout(timer);
        resolve(endpoint);
      };
      this.probeWaiters.push(waiter);
    });
  }

  private forwardAndWait(content: ForwardContent, what: string): Promise<ForwardContent> {
    if (this.closed) return Promise.reject(new CameraUnavailableError(this.cameraId, 'offline'));
    return new Promise((resolve, reject) => {
      const waiter: EchoWaiter = {
        code: content.code,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.echoWaiters = this.echoWaiters.filter((w) => w !== waiter);
          reject(new CameraTimeoutError(this.cameraId, `no answer to ${what} within ${this.timeouts.echoMs} ms`));
        }, this.timeouts.echoMs),
      };
      this.echoWaiters.push(waiter);
      this.link.send(encodeForward(this.cliTarget, content));
    });
  }

  private setState(state: ProtocolState): void {
    if (this.closed) return;
    this.state = state;
    this.registry.setState(this.cameraId, state);
  }
}
