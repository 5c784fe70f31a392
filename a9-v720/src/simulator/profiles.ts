/**
 * Named ways a simulated camera behaves, from the ideal camera our tests grew up with to what
 * real firmware on a home Wi-Fi does (docs/protocol.md §5, §8). Selectable in `npm run simulate
 * -- --profile <name>` and mixed in demo mode, so what a newcomer sees is what a real home gives.
 */
import type { DemoProfileName } from '../config.js';
import type { SimulatedCameraOptions } from './simulated-camera.js';

/** The options a profile may set: behaviour, never identity or addresses. */
export type CameraBehaviour = Omit<SimulatedCameraOptions, 'id' | 'host' | 'httpPort' | 'localAddress' | 'frames' | 'audio' | 'random'>;

export interface CameraProfile {
  readonly description: string;
  readonly behaviour: CameraBehaviour;
}

/** Resends as we believe real firmware does them: shortly after a confirm that missed a packet, twice at most. */
const FIRMWARE_RESENDS = { graceMs: 20, resendDelayMs: 10, maxResends: 2 } as const;

export const CAMERA_PROFILES = {
  ideal: {
    description: 'no loss, no reordering, A-law audio on the shared counter (our old simulator, with the measured 5-byte tail)',
    behaviour: {},
  },
  'lossy-home-wifi': {
    description: '3 % loss, 5 % neighbour swaps, 1 % delayed, 0.5 % duplicated; resends what the 605 confirms did not list',
    behaviour: { impairments: { loss: 0.03, swap: 0.05, delay: 0.01, delayMs: 40, duplicate: 0.005 }, resend: FIRMWARE_RESENDS },
  },
  'weak-wifi': {
    description: '5 % loss with resends, 10 % neighbour swaps, audio on its own counter (the issue 10 "new user" camera)',
    behaviour: { impairments: { loss: 0.05, swap: 0.1 }, resend: FIRMWARE_RESENDS, audioCounter: 'separate' },
  },
  'pcm-202312111512': {
    description: 'firmware 202312111512: PCM audio as cmd 6 (s16le 8 kHz mono, 20 packets/s between the fragments), 1 % loss with resends',
    behaviour: { firmware: '202312111512', audioFormat: 'pcm16', impairments: { loss: 0.01 }, resend: FIRMWARE_RESENDS },
  },
  'separate-audio-counter': {
    description: 'audio numbered on its own pkg_id counter, clean network',
    behaviour: { audioCounter: 'separate' },
  },
  'x6-mini': {
    description: 'firmware 202412061749 ("X6 mini"): irregular whitespace in 301 answers, extra udpPlayBack field',
    behaviour: { firmware: '202412061749', sloppyJson: true, baseInfo: { udpPlayBack: 1 } },
  },
  'no-fragment-flags': {
    description: 'firmware that ignores 298: fragments carry msg_flag 0, frames must be cut at FFD8…FFD9',
    behaviour: { fragmentFlags: false },
  },
  'first-boot': {
    description: 'factory-fresh 202212011602: registerDevices + confirm before the usual bootstrap; keeps the id it is given',
    behaviour: { bootstrapFlow: 'first-boot' },
  },
  'mqtt-only-202411152039': {
    description: 'firmware 202411152039: calls getDevInfo three times and never opens the TCP channel',
    behaviour: { firmware: '202411152039', bootstrapFlow: 'mqtt-only' },
  },
  'bootstrap-only': {
    description: 'asks the HTTP bootstrap for its server, then never opens TCP 6123 (as when 6123/tcp does not reach the add-on)',
    behaviour: { bootstrapFlow: 'bootstrap-only' },
  },
  'udp-blocked': {
    description: 'registers over TCP, but none of its UDP gets through (as when 6123/udp is not mapped): no probe, no video',
    behaviour: { udpBlocked: true },
  },
  forgetful: {
    description: 'leaves 20 % of requests (301 commands, UDP probe requests) unanswered; the commands still act',
    behaviour: { skipAnswers: 0.2 },
  },
  // Exactly the names `--demo-profiles` accepts (config.ts reads the command line without loading this module).
} satisfies Record<DemoProfileName, CameraProfile>;

export type ProfileName = keyof typeof CAMERA_PROFILES;
export const PROFILE_NAMES = Object.keys(CAMERA_PROFILES) as ProfileName[];

export function isProfileName(name: string): name is ProfileName {
  return Object.hasOwn(CAMERA_PROFILES, name);
}

/**
 * The demo's mix, cycled over its cameras: an ideal one, a lossy resending one, a PCM one, the
 * X6 mini. Only profiles that stream in today's add-on, so the dashboard shows every camera live.
 */
export const DEMO_PROFILES: readonly ProfileName[] = ['ideal', 'lossy-home-wifi', 'pcm-202312111512', 'x6-mini'];
