/**
 * The entities a camera's HA device holds, written out by hand once so that the discovery,
 * payload and bridge tests compare against the same expectation (not against the code's own list).
 */

/** A camera that registered but has not reported base info yet, and has never seen motion. */
export const BARE_CAMERA_KEYS: readonly string[] = [
  'connectivity',
  'image',
  'snapshot',
  'restart',
  'ip_address',
  'last_seen',
  'streaming',
  'motion',
  'motion_detection',
  'motion_sensitivity',
];
