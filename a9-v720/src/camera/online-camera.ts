/**
 * One online camera, the one owner of everything connection-side about it: its current TCP
 * session, the UDP endpoint its probe bound, and its media receive path (reassembly + confirms).
 * It lives from the camera's registration until it goes offline; dropping it drops all of that at
 * once, so nobody has to tell several maps "offline". The receive path (a reorder window of 1024 slots, ~16 KB) is
 * made at the first media packet: most registered cameras are not streaming, and at 1000 cameras
 * windows made at registration were 16 MB of a 1000-camera server's heap (issue 22, bench/memory.ts).
 */
import type { Logger } from '../log.js';
import type { Packet } from '../protocol/header.js';
import type { LatencySamples } from '../util/latency-samples.js';
import type { CameraSession, UdpEndpoint, UdpLink } from './camera-session.js';
import { CameraMediaReceiver, type ReceiveStats } from './media-receiver.js';
import type { MediaSink } from './media-sink.js';

export interface OnlineCameraOptions {
  readonly session: CameraSession;
  readonly udp: UdpLink;
  readonly sink: MediaSink;
  /** The camera's logger (a child carrying `camera`), shared by its sessions and receive path. */
  readonly log: Logger;
  readonly deliveryLatency: LatencySamples;
}

export class OnlineCamera {
  readonly cameraId: string;
  private currentSession: CameraSession;
  private endpoint: UdpEndpoint | undefined;
  /** Made by the first media packet (see above); until then there is nothing to tick, reset or count. */
  private receiver: CameraMediaReceiver | undefined;

  constructor(private readonly options: OnlineCameraOptions) {
    this.cameraId = options.session.cameraId;
    this.currentSession = options.session;
  }

  get log(): Logger {
    return this.options.log;
  }

  get session(): CameraSession {
    return this.currentSession;
  }

  /** A reconnect of the same camera: the new TCP session takes over; UDP binding and media state stay. */
  replaceSession(session: CameraSession): void {
    this.currentSession = session;
  }

  /** The UDP address bound by the camera's latest 51 probe. */
  get mediaEndpoint(): UdpEndpoint | undefined {
    return this.endpoint;
  }

  bindMedia(endpoint: UdpEndpoint): void {
    this.endpoint = endpoint;
  }

  /** Another camera probed from this camera's address and took it over. */
  unbindMedia(): void {
    this.endpoint = undefined;
  }

  onMediaPacket(packet: Packet): void {
    this.receiver ??= this.createReceiver();
    this.receiver.onPacket(packet);
  }

  /** The receive path's clock: windows that ran out, confirms that are due. */
  tickMedia(): void {
    this.receiver?.tick();
  }

  /** A stream (re)opens: reassembly starts over (a receiver not made yet has nothing to forget). */
  resetMedia(): void {
    this.receiver?.reset();
  }

  /** Receive-path counters, once media has arrived since the camera came online. */
  get mediaStats(): ReceiveStats | undefined {
    return this.receiver?.hasMedia ? this.receiver.stats : undefined;
  }

  private createReceiver(): CameraMediaReceiver {
    const { udp, sink, log, deliveryLatency } = this.options;
    return new CameraMediaReceiver({
      cameraId: this.cameraId,
      sink,
      logger: log,
      deliveryLatency,
      sendConfirm: (datagram) => {
        if (this.endpoint) udp.send(datagram, this.endpoint.address, this.endpoint.port);
      },
    });
  }
}
