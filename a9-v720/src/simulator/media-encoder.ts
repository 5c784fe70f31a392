/**
 * The camera side of PROTOCOL.md §5, for the simulator: turns a JPEG into cmd 1 fragment
 * datagrams and A-law samples into cmd 4 datagrams, the way the real camera frames them.
 */
import { CAMERA_FORWARD_ID, Cmd, encodePacket, MsgFlag } from '../protocol/header.js';
import { linearToAlaw } from '../media/alaw.js';

/** Payload bytes per video fragment, as observed (`ec030000` = 1004). */
export const FRAGMENT_PAYLOAD_BYTES = 1004;
/**
 * The 2 bytes between the JPEG and the size field. Their meaning is unknown (the captures only
 * tell us they exist); zeros cannot be mistaken for an FFD9.
 */
const TRAILER_FILLER = Buffer.from([0x00, 0x00]);

export interface EncodedFrame {
  readonly datagrams: Buffer[];
  /** pkg_id for the next media packet (video or audio) of this camera. */
  readonly nextPkgId: number;
}

/**
 * Fragments one JPEG: payload = JPEG + 2 filler bytes + u32 LE JPEG length, cut into 1004-byte
 * chunks flagged 250 / 251… / 252. A frame that fits in one chunk (never seen from a real
 * 640×480 camera) is sent as one packet with msg_flag 255 "whole", which is what §3 says that flag
 * means; the assembler accepts it with the same trailer.
 */
export function encodeJpegFragments(jpeg: Buffer, firstPkgId: number, fragmentBytes = FRAGMENT_PAYLOAD_BYTES): EncodedFrame {
  const size = Buffer.allocUnsafe(4);
  size.writeUInt32LE(jpeg.length);
  const data = Buffer.concat([jpeg, TRAILER_FILLER, size]);
  const count = Math.ceil(data.length / fragmentBytes);
  const datagrams: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const msgFlag =
      count === 1 ? MsgFlag.Whole : i === 0 ? MsgFlag.FirstFragment : i === count - 1 ? MsgFlag.LastFragment : MsgFlag.MiddleFragment;
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
