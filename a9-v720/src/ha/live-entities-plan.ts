/**
 * What to do about Home Assistant's "MJPEG IP Camera" entries, one per camera (issue 20, item 1),
 * decided without I/O: given the cameras that have been online, what the add-on remembers
 * (`<data_dir>/live-entities.json`) and, when known, HA's list of mjpeg entries, `planPass` says
 * which entries to create and delete; the `after…` functions say what the add-on remembers once
 * an action's answer is in. `ha/live-entities.ts` does the calls and keeps the file.
 *
 * The rules (issue 20): automatic once per camera; never a duplicate; an entry the user deleted in
 * HA stays deleted (seen as: remembered, but no longer in HA's list) until the user asks for it
 * again; a forgotten camera's entry is deleted; entries made for another hostname or media key
 * are replaced (their URLs no longer work).
 */

/** What the add-on remembers about one camera's entry. */
export type Remembered =
  /** Our entry, made for the URLs of `target`. */
  | { readonly status: 'created'; readonly entryId: string; readonly target: string }
  /** The user deleted our entry in HA: not made again until asked for (the panel's button). */
  | { readonly status: 'deleted' }
  /** HA already had an entry for this camera's URL that the add-on could not tell apart: left alone. */
  | { readonly status: 'external' }
  /** To be made at the next chance: asked for by the user, or the second half of a replacement. */
  | { readonly status: 'wanted' };

export type RememberedEntries = Readonly<Record<string, Remembered>>;

/** A camera that has been online (registered over TCP) and the title its entry gets. */
export interface LiveCamera {
  readonly id: string;
  readonly title: string;
  /**
   * Online now. HA's flow opens both URLs before it makes the entry, and an offline camera's
   * stream answers 503, so entries are made (and replaced) only while the camera is online.
   */
  readonly online: boolean;
}

/** One mjpeg entry in HA's list (`GET /api/config/config_entries/entry?domain=mjpeg`). */
export interface EntrySummary {
  readonly entryId: string;
  readonly title: string;
}

export type LiveAction =
  | { readonly kind: 'create'; readonly cameraId: string; readonly title: string }
  /** `then`: what the camera's record becomes once HA has no such entry any more. */
  | { readonly kind: 'delete'; readonly cameraId: string; readonly entryId: string; readonly then: 'forget' | 'wanted' };

export interface PassInput {
  readonly cameras: readonly LiveCamera[];
  readonly remembered: RememberedEntries;
  /** The URLs' identity now (hostname and media key fingerprint, see `targetOf`). */
  readonly target: string;
  /** HA's mjpeg entries, or undefined when this pass does not look (then nothing is judged deleted). */
  readonly entries: readonly EntrySummary[] | undefined;
  /** The option `live_entities`: make entries for cameras that have none by themselves. */
  readonly automatic: boolean;
}

export interface PassPlan {
  /** In order: a replacement's delete comes right before its create. */
  readonly actions: readonly LiveAction[];
  /** What HA's list showed, already applied: entries the user deleted, records of forgotten cameras. */
  readonly remembered: RememberedEntries;
  /** Cameras whose entry the user deleted in HA since the last look (one log line each). */
  readonly deletedByUser: readonly string[];
  /**
   * Without the list, an online camera's entry made for old URLs waits: plan again with HA's list
   * (it tells a replacement from an entry the user deleted).
   */
  readonly needsList: boolean;
}

/** One string for "where the URLs point" (host:port and the key's fingerprint): a change means new URLs. */
export function targetOf(authority: string, keyFingerprint: string): string {
  return `${authority}|${keyFingerprint}`;
}

/** The entry's title: the camera's name, else its id. */
export function entryTitle(id: string, name: string | undefined): string {
  return name ?? id;
}

export function planPass(input: PassInput): PassPlan {
  const { cameras, target, entries, automatic } = input;
  const inHa = entries ? new Set(entries.map((entry) => entry.entryId)) : undefined;
  const remembered: Record<string, Remembered> = { ...input.remembered };
  const actions: LiveAction[] = [];
  const deletedByUser: string[] = [];
  let needsList = false;
  const online = new Set(cameras.map((camera) => camera.id));

  for (const camera of cameras) {
    const record = remembered[camera.id];
    const create: LiveAction = { kind: 'create', cameraId: camera.id, title: camera.title };
    if (record === undefined) {
      if (automatic && camera.online) actions.push(create);
    } else if (record.status === 'wanted') {
      if (camera.online) actions.push(create);
    } else if (record.status === 'created' && !inHa) {
      needsList ||= record.target !== target && camera.online;
    } else if (record.status === 'created' && inHa) {
      if (!inHa.has(record.entryId)) {
        remembered[camera.id] = { status: 'deleted' };
        deletedByUser.push(camera.id);
      } else if (record.target !== target && camera.online) {
        // Its URLs point at an old hostname or key: HA would show a broken camera.
        actions.push({ kind: 'delete', cameraId: camera.id, entryId: record.entryId, then: 'wanted' }, create);
      }
    }
  }

  // Cameras forgotten in the panel (now, or while the add-on was stopped).
  for (const [id, record] of Object.entries(input.remembered)) {
    if (online.has(id)) continue;
    if (record.status === 'created' && (!inHa || inHa.has(record.entryId))) {
      actions.push({ kind: 'delete', cameraId: id, entryId: record.entryId, then: 'forget' });
    } else {
      delete remembered[id];
    }
  }
  return { actions, remembered, deletedByUser, needsList };
}

/**
 * The user asked for the camera's entry (the panel's button). Nothing changes when our entry is in
 * HA's list for the current URLs; otherwise the camera is `wanted`, whatever it was (deleted by the
 * user, external, made for old URLs, or never made).
 */
export function requestEntry(
  remembered: RememberedEntries,
  id: string,
  entries: readonly EntrySummary[],
  target: string,
): RememberedEntries {
  const record = remembered[id];
  if (record?.status === 'created' && record.target === target && entries.some((entry) => entry.entryId === record.entryId)) {
    return remembered;
  }
  return { ...remembered, [id]: { status: 'wanted' } };
}

/** HA made the entry. */
export function afterCreated(remembered: RememberedEntries, id: string, entryId: string, target: string): RememberedEntries {
  return { ...remembered, [id]: { status: 'created', entryId, target } };
}

/**
 * HA aborted with `already_configured`: it has an entry for this camera's URL already (ours, made
 * just before a crash lost the file, or one the user added by hand). HA's list does not show
 * entries' URLs, so the entry is adopted by its title when exactly one entry that no other camera
 * claims carries it; otherwise it is left to the user (`external`).
 */
export function afterAlreadyConfigured(
  remembered: RememberedEntries,
  id: string,
  title: string,
  entries: readonly EntrySummary[],
  target: string,
): RememberedEntries {
  const claimed = new Set<string>();
  for (const [other, record] of Object.entries(remembered)) {
    if (other !== id && record.status === 'created') claimed.add(record.entryId);
  }
  const candidates = entries.filter((entry) => entry.title === title && !claimed.has(entry.entryId));
  const [only] = candidates;
  return {
    ...remembered,
    [id]: candidates.length === 1 && only ? { status: 'created', entryId: only.entryId, target } : { status: 'external' },
  };
}

/** HA no longer has the entry (deleted now, or it answered that it never had it). */
export function afterDeleted(remembered: RememberedEntries, id: string, then: 'forget' | 'wanted'): RememberedEntries {
  const next: Record<string, Remembered> = { ...remembered };
  if (then === 'forget') delete next[id];
  else next[id] = { status: 'wanted' };
  return next;
}

/** What the panel shows for a camera. */
export type LiveEntityState = 'created' | 'deleted' | 'external' | 'pending' | 'off';

export function entityState(record: Remembered | undefined, automatic: boolean): LiveEntityState {
  if (record === undefined) return automatic ? 'pending' : 'off';
  return record.status === 'wanted' ? 'pending' : record.status;
}

/** The file's version; another one is set aside (not misread). */
export const STATE_FILE_VERSION = 1;

/** HA's entry ids are ULIDs (26 characters) or, in older installs, 32 hex digits: short tokens. */
const ENTRY_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** Device ids: 4 to 32 letters and digits (protocol/device-id.ts). */
const CAMERA_ID = /^[A-Za-z0-9]{4,32}$/;
const TARGET_MAX = 300;

export interface ParsedState {
  readonly remembered: RememberedEntries;
  /** One line each: what was dropped and why (the rest is kept). */
  readonly problems: readonly string[];
}

function parseRecord(value: unknown): Remembered | string {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not an object';
  const status: unknown = Reflect.get(value, 'status');
  if (status === 'deleted' || status === 'external' || status === 'wanted') return { status };
  if (status !== 'created') return `unknown status ${JSON.stringify(status)}`;
  const entryId: unknown = Reflect.get(value, 'entryId');
  const target: unknown = Reflect.get(value, 'target');
  if (typeof entryId !== 'string' || !ENTRY_ID.test(entryId)) return 'no usable entryId';
  if (typeof target !== 'string' || target.length > TARGET_MAX) return 'no usable target';
  return { status, entryId, target };
}

/**
 * `live-entities.json` → what the add-on remembers, at most `max` cameras (the max_cameras
 * option: the registry never holds more, so more means a file not written by us).
 */
export function parseStateFile(json: unknown, max: number): ParsedState {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return { remembered: {}, problems: ['not a JSON object'] };
  const version: unknown = Reflect.get(json, 'version');
  if (version !== STATE_FILE_VERSION) return { remembered: {}, problems: [`unknown version ${JSON.stringify(version)}`] };
  const cameras: unknown = Reflect.get(json, 'cameras');
  if (typeof cameras !== 'object' || cameras === null || Array.isArray(cameras))
    return { remembered: {}, problems: ['no "cameras" object'] };
  const remembered: Record<string, Remembered> = {};
  const problems: string[] = [];
  let kept = 0;
  for (const [id, value] of Object.entries(cameras)) {
    if (!CAMERA_ID.test(id)) {
      problems.push(`camera id ${JSON.stringify(id.slice(0, 40))} is not a device id`);
      continue;
    }
    const record = parseRecord(value);
    if (typeof record === 'string') {
      problems.push(`camera ${id}: ${record}`);
      continue;
    }
    if (kept >= max) {
      problems.push(`camera ${id}: more than ${max} cameras (max_cameras)`);
      continue;
    }
    remembered[id] = record;
    kept++;
  }
  return { remembered, problems };
}

/** The file's contents for `remembered`. */
export function stateFileText(remembered: RememberedEntries): string {
  return `${JSON.stringify({ version: STATE_FILE_VERSION, cameras: remembered }, null, 1)}\n`;
}
