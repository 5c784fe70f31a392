/**
 * The Supervisor's rules for an add-on manifest, transcribed from home-assistant/supervisor
 * (supervisor/addons/validate.py `_SCHEMA_ADDON_CONFIG`, supervisor/addons/options.py
 * `RE_SCHEMA_ELEMENT` and `_single_validate`, supervisor/validate.py `docker_ports`).
 * A manifest the Supervisor rejects does not error in the UI: the store logs a warning and the
 * add-on silently disappears, so these checks run in the test suite.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const ADDON_DIR = fileURLToPath(new URL('../../', import.meta.url));
export const REPO_ROOT = path.resolve(ADDON_DIR, '..');

export const RE_SLUG = /^[-_.A-Za-z0-9]+$/;
export const RE_SERVICE = /^(mqtt|mysql):(provide|want|need)$/;
export const RE_DOCKER_PORT = /^\d+(?:\/tcp|\/udp)?$/;
/** The form this add-on uses for every port key: always with the protocol. */
export const RE_PORT_KEY = /^\d+\/(tcp|udp)$/;
export const RE_SCHEMA_ELEMENT = new RegExp(
  '^(?:' +
    '|bool' +
    '|email' +
    '|url' +
    '|port' +
    '|device(?:\\((?<filter>subsystem=[a-z]+)\\))?' +
    '|str(?:\\((?<s_min>\\d+)?,(?<s_max>\\d+)?\\))?' +
    '|password(?:\\((?<p_min>\\d+)?,(?<p_max>\\d+)?\\))?' +
    '|int(?:\\((?<i_min>-?\\d+)?,(?<i_max>-?\\d+)?\\))?' +
    '|float(?:\\((?<f_min>-?\\d*\\.?\\d+)?,(?<f_max>-?\\d*\\.?\\d+)?\\))?' +
    '|match\\((?<match>.*)\\)' +
    '|list\\((?<list>.+)\\)' +
    ')\\??$',
);

/** ARCH_ALL in supervisor/const.py; this add-on builds only the non-deprecated two. */
export const SUPPORTED_ARCH = ['aarch64', 'amd64'] as const;
export const REQUIRED_KEYS = ['name', 'version', 'slug', 'description', 'arch'] as const;
/**
 * `advanced` and `codenotary` are retired (the Supervisor warns or ignores them); `image` would
 * make the Supervisor pull a prebuilt image that is not published instead of building the Dockerfile.
 */
export const FORBIDDEN_KEYS = ['advanced', 'codenotary', 'image'] as const;

export type Manifest = Record<string, unknown>;

export function readYaml(file: string): unknown {
  return parseYaml(readFileSync(file, 'utf8'));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export interface SchemaType {
  readonly raw: string;
  readonly base: 'bool' | 'email' | 'url' | 'port' | 'device' | 'str' | 'password' | 'int' | 'float' | 'match' | 'list';
  readonly optional: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: string;
  readonly choices?: string[];
}

/** Parses one schema element such as `int(5,3600)`, `str?`, `list(a|b)`; undefined if invalid. */
export function parseSchemaType(raw: string): SchemaType | undefined {
  const m = RE_SCHEMA_ELEMENT.exec(raw);
  if (!m || raw === '' || raw === '?') return undefined;
  const optional = raw.endsWith('?');
  const body = optional ? raw.slice(0, -1) : raw;
  const base = /^[a-z]+/.exec(body)?.[0] as SchemaType['base'];
  const g = m.groups ?? {};
  const num = (value: string | undefined): number | undefined => (value === undefined ? undefined : Number(value));
  return {
    raw,
    base,
    optional,
    min: num(g['i_min'] ?? g['f_min'] ?? g['s_min'] ?? g['p_min']),
    max: num(g['i_max'] ?? g['f_max'] ?? g['s_max'] ?? g['p_max']),
    pattern: g['match'],
    choices: g['list']?.split('|'),
  };
}

/**
 * Whether the Supervisor would accept `value` for this schema type (options.py
 * `_single_validate`, slightly stricter: no string→number coercion, as this add-on never relies
 * on it). Returns an error text or undefined.
 */
export function checkOptionValue(type: SchemaType, value: unknown): string | undefined {
  const range = (n: number): string | undefined =>
    (type.min !== undefined && n < type.min) || (type.max !== undefined && n > type.max) ? `${n} is outside ${type.raw}` : undefined;
  switch (type.base) {
    case 'str':
    case 'password':
      return typeof value === 'string' ? range(value.length) : `expected a string for ${type.raw}`;
    case 'int':
      return Number.isInteger(value) ? range(value as number) : `expected an integer for ${type.raw}`;
    case 'float':
      return typeof value === 'number' && Number.isFinite(value) ? range(value) : `expected a number for ${type.raw}`;
    case 'bool':
      return typeof value === 'boolean' ? undefined : `expected true/false for ${type.raw}`;
    case 'port':
      return Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535
        ? undefined
        : `expected a port for ${type.raw}`;
    case 'url':
      return typeof value === 'string' && URL.canParse(value) && new URL(value).host !== '' ? undefined : `expected a URL for ${type.raw}`;
    case 'email':
      return typeof value === 'string' && /^[^@\s]+@[^@\s]+$/.test(value) ? undefined : `expected an email for ${type.raw}`;
    case 'match':
      // Python's re.match anchors at the start only; the patterns here anchor both ends anyway.
      return typeof value === 'string' && new RegExp(`^(?:${type.pattern ?? ''})`).test(value)
        ? undefined
        : `${JSON.stringify(value)} does not match ${type.raw}`;
    case 'list':
      return typeof value === 'string' && (type.choices ?? []).includes(value)
        ? undefined
        : `${JSON.stringify(value)} is not one of ${type.raw}`;
    case 'device':
      return typeof value === 'string' ? undefined : `expected a device path for ${type.raw}`;
  }
}

/** Capabilities that cost a rating point (supervisor/apps/utils.py `rating_security`). */
const RISKY_PRIVILEGES = [
  'BPF',
  'CHECKPOINT_RESTORE',
  'DAC_READ_SEARCH',
  'NET_ADMIN',
  'NET_RAW',
  'PERFMON',
  'SYS_ADMIN',
  'SYS_MODULE',
  'SYS_PTRACE',
  'SYS_RAWIO',
];

/**
 * The security rating the Supervisor shows (1–8), transcribed from supervisor/apps/utils.py
 * `rating_security`. `hasProfile`: an apparmor.txt ships with the add-on. Not signed. Neither
 * `watchdog` nor a Docker HEALTHCHECK counts (read at supervisor 090ef31, 2026-08-21).
 */
export function securityRating(manifest: Manifest, hasProfile: boolean): number {
  let rating = 5;
  if (manifest['apparmor'] === false) rating -= 1;
  else if (hasProfile) rating += 1;
  if (manifest['ingress'] === true) rating += 2;
  else if (manifest['auth_api'] === true) rating += 1;
  const privileged = Array.isArray(manifest['privileged']) ? manifest['privileged'].map(String) : [];
  if (privileged.some((p) => RISKY_PRIVILEGES.includes(p)) || manifest['kernel_modules'] === true) rating -= 1;
  if (manifest['hassio_role'] === 'manager') rating -= 1;
  else if (manifest['hassio_role'] === 'admin') rating -= 2;
  if (manifest['host_network'] === true) rating -= 1;
  if (manifest['host_pid'] === true) rating -= 2;
  if (manifest['host_uts'] === true && privileged.includes('SYS_ADMIN')) rating -= 1;
  if (manifest['docker_api'] === true || manifest['full_access'] === true) rating = 1;
  return Math.max(Math.min(8, rating), 1);
}

/** supervisor/utils/apparmor.py: the Supervisor reads the profile name from the one top-level line. */
export const RE_APPARMOR_PROFILE = /^profile ([^ ]+).*$/;

/**
 * Structural checks of an AppArmor profile, the way the Supervisor and apparmor_parser read it:
 * exactly one top-level profile, balanced braces, every rule ends with a comma. Returns problems.
 */
export function apparmorProblems(text: string): string[] {
  const problems: string[] = [];
  const lines = text.split('\n');
  const topLevel = lines.filter((line) => RE_APPARMOR_PROFILE.test(line));
  if (topLevel.length !== 1) problems.push(`expected exactly one top-level "profile" line, found ${topLevel.length}`);
  let depth = 0;
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return; // comments and #include
    const where = `line ${index + 1} "${line}"`;
    if (line.endsWith('{')) {
      if (!/^profile \S+( flags=\([a-z_,]+\))? \{$/.test(line)) problems.push(`${where}: not a profile header`);
      depth++;
    } else if (line === '}') {
      depth--;
      if (depth < 0) problems.push(`${where}: unbalanced "}"`);
    } else if (!line.endsWith(',')) {
      problems.push(`${where}: a rule must end with ","`);
    } else if (depth === 0) {
      problems.push(`${where}: rule outside any profile`);
    }
  });
  if (depth !== 0) problems.push(`unbalanced braces (depth ${depth} at the end)`);
  return problems;
}
