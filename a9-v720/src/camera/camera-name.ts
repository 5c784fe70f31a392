/**
 * The user's name for a camera ("Garden", "Front door"): shown in the dashboard, used as the HA
 * device name and in log lines. One validating parser for every way a name comes in (web API,
 * the saved camera list), so nothing downstream re-checks it.
 */

/** Long enough for "Living room, window facing the garden"; short enough for a tile and a log line. */
export const CAMERA_NAME_MAX_LENGTH = 64;

/**
 * Control characters (C0, DEL, C1), line/paragraph separators and bidirectional overrides:
 * they would break log lines, fake extra lines in the HA UI or reorder the text around them.
 */
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

export type CameraNameParse =
  /** `name` undefined: the user cleared the name (the camera is shown by its id again). */
  { readonly ok: true; readonly name: string | undefined } | { readonly ok: false; readonly reason: string };

/** Accepts a string (trimmed; empty clears the name) or null (clears the name). */
export function parseCameraName(value: unknown): CameraNameParse {
  if (value === null) return { ok: true, name: undefined };
  if (typeof value !== 'string') return { ok: false, reason: 'name must be a string (or null to clear it)' };
  const name = value.trim();
  if (name === '') return { ok: true, name: undefined };
  if (FORBIDDEN.test(name)) return { ok: false, reason: 'name must not contain control characters or line breaks' };
  const length = [...name].length;
  if (length > CAMERA_NAME_MAX_LENGTH)
    return { ok: false, reason: `name is ${length} characters long; at most ${CAMERA_NAME_MAX_LENGTH} are allowed` };
  return { ok: true, name };
}
