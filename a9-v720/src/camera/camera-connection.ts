/**
 * Everything connection-side about one camera, in one object: its current TCP session, the UDP
 * endpoint its probe bound, and its media receive path (reassembly + confirms). It lives from the
 * camera's registration until it goes offline; dropping it drops all of that at once, so nobody
 * has to tell several maps "offline".
 */
import type { Logger } from '../log.js';
import type { Packet } from '../protocol/header.js';
import type { LatencySamples } from '../util/latency-samples.js';
import type { CameraSession, UdpEndpoint, UdpLink } from './camera-session.js';
import { CameraMediaReceiver } from './media-receiver.js';
import type { MediaSink } from './media-sink.js';

export interface CameraConnectionOptions {
  readonly session: CameraSession;
  readonly udp: UdpLink;
  readonly sink: MediaSink;
  readonly logger: Logger;
  readonly deliveryLatency: LatencySamples;
}

export class CameraConnection {
  readonly cameraId: string;
  private currentSession: CameraSession;
  private endpoint: UdpEndpoint | undefined;
  readonly media: CameraMediaReceiver;

  constructor(options: CameraConnectionOptions) {
    this.cameraId = options.session.cameraId;
    this.currentSession = options.session;
    const { udp } = options;
    this.media = new CameraMediaReceiver({
      cameraId: this.cameraId,
      sink: options.sink,
      logger: options.logger,
      deliveryLatency: options.deliveryLatency,
      sendConfirm: (datagram) => {
        if (this.endpoint) udp.send(datagram, this.endpoint.address, this.endpoint.port);
      },
    });
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
    this.media.onPacket(packet);
  }
}
