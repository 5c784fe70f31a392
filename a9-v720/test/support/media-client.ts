/** HTTP clients for the media endpoints, reading streams as a browser or go2rtc would. */
import http from 'node:http';
import { boundaryFromContentType, MjpegPartParser } from '../../src/media/mjpeg.js';
import { loadAllFrames } from '../../src/simulator/frame-library.js';

export interface MjpegViewer {
  readonly parts: Buffer[];
  /** Resolves when the server ends the response (closing boundary seen or not). */
  readonly ended: Promise<{ closingBoundary: boolean }>;
  readonly status: Promise<number>;
  close(): void;
}

export function openMjpeg(port: number, cameraId: string): MjpegViewer {
  const parts: Buffer[] = [];
  let request: http.ClientRequest | undefined;
  let resolveStatus: (status: number) => void = () => {};
  const status = new Promise<number>((resolve) => (resolveStatus = resolve));
  const ended = new Promise<{ closingBoundary: boolean }>((resolve) => {
    request = http.get({ host: '127.0.0.1', port, path: `/api/cameras/${cameraId}/stream` }, (res) => {
      resolveStatus(res.statusCode ?? 0);
      const boundary = boundaryFromContentType(String(res.headers['content-type'] ?? ''));
      const parser = boundary ? new MjpegPartParser(boundary) : undefined;
      res.on('data', (chunk: Buffer) => {
        if (parser) parts.push(...parser.push(chunk));
      });
      res.on('end', () => resolve({ closingBoundary: parser?.ended ?? false }));
      res.on('error', () => resolve({ closingBoundary: false }));
      res.on('close', () => resolve({ closingBoundary: parser?.ended ?? false }));
    });
    request.on('error', () => resolve({ closingBoundary: false }));
  });
  return { parts, ended, status, close: () => request?.destroy() };
}

export async function getBytes(port: number, path: string): Promise<{ status: number; type: string; body: Buffer }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: Buffer.from(await res.arrayBuffer()) };
}

/**
 * Distinct frames per camera: the library frames with a JPEG comment (FF FE) naming the camera
 * inserted after SOI, still valid JPEGs, so a frame delivered to the wrong viewer is detectable.
 */
export function taggedFrames(tag: string): Buffer[] {
  const comment = Buffer.from(tag, 'ascii');
  const segment = Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), comment]);
  segment.writeUInt16BE(comment.length + 2, 2);
  return loadAllFrames().map((jpeg) => Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]));
}

/** True when `parts` appear in `sent` in the same order (frames may be skipped, never reordered). */
export function isOrderedSubsequence(parts: readonly Buffer[], sent: readonly Buffer[]): boolean {
  let j = 0;
  for (const part of parts) {
    while (j < sent.length && !sent[j]!.equals(part)) j++;
    if (j === sent.length) return false;
    j++;
  }
  return true;
}
