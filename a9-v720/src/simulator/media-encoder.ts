/**
 * The camera side of docs/protocol.md §5, for the simulator: turns a JPEG into cmd 1 fragment
 * datagrams, A-law samples into cmd 4 and PCM samples into cmd 6 datagrams, the way real
 * cameras frame them.
 */
import { CAMERA_FORWARD_ID, Cmd, encodePacket, MsgFlag } from '../protocol/header.js';
import { linearToAlaw } from '../media/alaw.js';

/** Payload bytes per video fragment, as observed (`ec030000` = 1004). */
export const FRAGMENT_PAYLOAD_BYTES = 1004;
/**
 * Bytes after the JPEG in the last fragment, as measured on the only real sample (docs/protocol.md §5):
 * 1 unknown byte + u32 LE size. Some reference code assumed 2 unknown bytes (6 in total).
 */
export const FRAME_TAIL_BYTES = 5;

export interface JpegFragmentOptions {
  readonly fragmentBytes?: number;
  /** Tail after the JPEG: (tailBytes - 4) unknown bytes + u32 LE size. At least 4. Default 5. */
  readonly tailBytes?: number;
  /**
   * false: every fragment carries msg_flag 0, as firmware that ignores 298 does (the receiver
   * must cut frames at FFD8…FFD9). Default true: 250 / 251… / 252.
   */
  readonly fragmentFlags?: boolean;
}

export interface EncodedFrame {
  readonly datagrams: Buffer[];
  /** pkg_id for the next media packet (video or audio) of this camera. */
  readonly nextPkgId: number;
}

/**
 * Fragments one JPEG: payload = JPEG + unknown filler + u32 LE JPEG length, cut into 1004-byte
 * chunks flagged 250 / 251… / 252. A frame that fits in one chunk (never seen from a real
 * 640×480 camera) is sent as one packet with msg_flag 255 "whole", which is what §3 says that flag
 * means; the assembler accepts it with the same tail. The filler is zeros: those cannot be
 * mistaken for an FFD9.
 */
export function encodeJpegFragments(jpeg: Buffer, firstPkgId: number, options: JpegFragmentOptions | number = {}): EncodedFrame {
  const {
    fragmentBytes = FRAGMENT_PAYLOAD_BYTES,
    tailBytes = FRAME_TAIL_BYTES,
    fragmentFlags = true,
  } = typeof options === 'number' ? { fragmentBytes: options } : options;
  const tail = Buffer.alloc(Math.max(4, tailBytes));
  tail.writeUInt32LE(jpeg.length, tail.length - 4);
  const data = Buffer.concat([jpeg, tail]);
  const count = Math.ceil(data.length / fragmentBytes);
  const datagrams: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const msgFlag = !fragmentFlags
      ? MsgFlag.None
      : count === 1
        ? MsgFlag.Whole
        : i === 0
          ? MsgFlag.FirstFragment
          : i === count - 1
            ? MsgFlag.LastFragment
            : MsgFlag.MiddleFragment;
    datagrams.push(
      encodePacket({
        cmd: Cmd.JpegFragment,
        msgFlag,
        forwardId: CAMERA_FORWARD_ID,
        pkgId: (firstPkgId + i) >>> 0,
        payload: data.subarray(i * fragmentBytes, (i + 1) * fragmentBytes),
      }),
    );
  }
  return { datagrams, nextPkgId: (firstPkgId + count) >>> 0 };
}

/** One unfragmented G.711 A-law packet (cmd 4, msg_flag 255). */
export function encodeAudioPacket(alaw: Buffer, pkgId: number): Buffer {
  return encodePacket({ cmd: Cmd.G711Alaw, msgFlag: MsgFlag.Whole, forwardId: CAMERA_FORWARD_ID, pkgId: pkgId >>> 0, payload: alaw });
}

/** One unfragmented PCM packet (cmd 6, msg_flag 255): s16le 8 kHz mono, as firmware 202312111512 sends. */
export function encodePcmPacket(pcm: Buffer, pkgId: number): Buffer {
  return encodePacket({ cmd: Cmd.Pcm, msgFlag: MsgFlag.Whole, forwardId: CAMERA_FORWARD_ID, pkgId: pkgId >>> 0, payload: pcm });
}

export interface ToneOptions {
  readonly frequencyHz?: number;
  readonly sampleRate?: number;
  /** 0..1 of full scale; the default is quiet enough not to startle anyone testing. */
  readonly amplitude?: number;
}

/**
 * A sine tone as A-law chunks. Keeps its phase in the returned closure (per simulated camera,
 * no module state), so consecutive chunks join without clicks.
 */
export function createAlawTone(options: ToneOptions = {}): (samples: number) => Buffer {
  const frequency = options.frequencyHz ?? 440;
  const sampleRate = options.sampleRate ?? 8000;
  const amplitude = (options.amplitude ?? 0.25) * 32767;
  let n = 0;
  return (samples) => {
    const out = Buffer.allocUnsafe(samples);
    for (let i = 0; i < samples; i++, n++) {
      out[i] = linearToAlaw(amplitude * Math.sin((2 * Math.PI * frequency * n) / sampleRate));
    }
    // With an integer frequency the phase repeats every sampleRate samples: wrap to keep n small.
    if (Number.isInteger(frequency) && Number.isInteger(sampleRate)) n %= sampleRate;
    return out;
  };
}

/** Like createAlawTone, as signed 16-bit little-endian PCM (2 bytes per sample). */
export function createPcmTone(options: ToneOptions = {}): (samples: number) => Buffer {
  const frequency = options.frequencyHz ?? 440;
  const sampleRate = options.sampleRate ?? 8000;
  const amplitude = (options.amplitude ?? 0.25) * 32767;
  let n = 0;
  return (samples) => {
    const out = Buffer.allocUnsafe(samples * 2);
    for (let i = 0; i < samples; i++, n++) {
      out.writeInt16LE(Math.round(amplitude * Math.sin((2 * Math.PI * frequency * n) / sampleRate)), i * 2);
    }
    if (Number.isInteger(frequency) && Number.isInteger(sampleRate)) n %= sampleRate;
    return out;
  };
}
