/**
 * Where the camera side hands its media. Declared here, in `camera/`, so that the receive path
 * does not depend on who consumes frames (the media hub implements it): imports run one way,
 * protocol ← camera ← media.
 */

import type { AudioFormat } from '../protocol/reassembly.js';

export type { AudioFormat };

export interface MediaSink {
  /** A complete JPEG, exactly FFD8 … FFD9, in frame order. */
  pushFrame(cameraId: string, jpeg: Buffer): void;
  /** One audio packet's samples as the camera sent them. */
  pushAudio(cameraId: string, payload: Buffer, format: AudioFormat): void;
}
