/**
 * The rules of the add-on linter the Home Assistant community runs in CI (frenck/action-addon-linter,
 * read at 2bd8faa, 2026-04-09: `src/config.schema.json` and `src/lint.py`), transcribed for
 * config.yaml. The Supervisor accepts more than this linter does (the linter refuses `watchdog`
 * and keys left at their default), so both rule sets are checked.
 */

type JsonType = 'boolean' | 'string' | 'integer' | 'array' | 'object' | 'null';

/** One property of config.schema.json (only what its rules use). */
export interface LinterProperty {
  readonly type: readonly JsonType[];
  /** lint.py's `is_default` check: a key equal to its default is an error ("should be removed"). */
  readonly default?: unknown;
  readonly enum?: readonly string[];
  readonly minimum?: number;
  readonly maximum?: number;
  /** For arrays: the allowed item values, or the pattern every item must match. */
  readonly items?: { readonly enum?: readonly string[]; readonly pattern?: RegExp };
}

const bool = (fallback = false): LinterProperty => ({ type: ['boolean'], default: fallback });
const text: LinterProperty = { type: ['string'] };
const strings: LinterProperty = { type: ['array'] };
const mapping = (fallback?: object): LinterProperty => ({ type: ['object'], ...(fallback ? { default: fallback } : {}) });

/** config.schema.json `properties`; `additionalProperties: false`: no other key is allowed. */
export const LINTER_PROPERTIES: Readonly<Record<string, LinterProperty>> = {
  advanced: bool(),
  apparmor: { type: ['string', 'boolean'], default: true },
  arch: { type: ['array'], items: { enum: ['aarch64', 'amd64', 'armhf', 'armv7', 'i386'] } },
  audio: bool(),
  auth_api: bool(),
  auto_uart: bool(),
  backup: { type: ['string'], default: 'hot', enum: ['hot', 'cold'] },
  backup_exclude: strings,
  backup_pre: text,
  backup_post: text,
  boot: { type: ['string'], default: 'auto', enum: ['auto', 'manual', 'manual_only'] },
  breaking_versions: strings,
  codenotary: text,
  description: text,
  devices: strings,
  devicetree: bool(),
  discovery: strings,
  docker_api: bool(),
  environment: mapping(),
  full_access: bool(),
  gpio: bool(),
  hassio_api: bool(),
  hassio_role: { type: ['string'], default: 'default', enum: ['admin', 'backup', 'default', 'homeassistant', 'manager'] },
  homeassistant: { type: ['string'], default: false },
  homeassistant_api: bool(),
  host_dbus: bool(),
  host_ipc: bool(),
  host_network: bool(),
  host_pid: bool(),
  host_uts: bool(),
  image: text,
  ingress: bool(),
  ingress_entry: text,
  ingress_port: { type: ['integer'], default: 8099, minimum: 0, maximum: 65535 },
  ingress_stream: bool(),
  init: bool(true),
  journald: bool(),
  kernel_modules: bool(),
  legacy: bool(),
  machine: strings,
  map: strings,
  name: text,
  options: mapping({}),
  panel_admin: bool(true),
  panel_icon: { type: ['string'], default: 'mdi:puzzle' },
  panel_title: text,
  ports: mapping(),
  ports_description: mapping(),
  privileged: strings,
  realtime: bool(),
  schema: mapping({}),
  services: { type: ['array'], items: { pattern: /^(mqtt|mysql):(provide|want|need)$/ } },
  slug: text,
  stage: { type: ['string'], default: 'stable', enum: ['deprecated', 'experimental', 'stable'] },
  startup: { type: ['string'], default: 'application', enum: ['application', 'initialize', 'once', 'services', 'system'] },
  stdin: bool(),
  timeout: { type: ['integer'], default: 10 },
  tmpfs: { type: ['string', 'boolean'], default: false },
  uart: bool(),
  udev: bool(),
  ulimits: mapping({}),
  url: text,
  usb: bool(),
  version: text,
  video: bool(),
  watchdog: text,
  webui: text,
};

/** config.schema.json `required`. */
export const LINTER_REQUIRED = ['arch', 'description', 'name', 'slug', 'version'] as const;

function jsonTypeOf(value: unknown): JsonType | 'number' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'boolean' || typeof value === 'string') return typeof value === 'boolean' ? 'boolean' : 'string';
  return 'object';
}

/** Python's `==` on YAML values, as lint.py compares a key with its default. */
function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** What the linter reports as errors (`::error`) for a manifest; [] when it passes. */
export function linterErrors(manifest: Readonly<Record<string, unknown>>): string[] {
  const errors: string[] = [];
  // config.schema.json, with lint.py's `is_default` extension.
  for (const key of LINTER_REQUIRED) if (!(key in manifest)) errors.push(`'${key}' is a required property`);
  for (const [key, value] of Object.entries(manifest)) {
    const property = LINTER_PROPERTIES[key];
    if (!property) {
      errors.push(`Additional properties are not allowed ('${key}' was unexpected)`);
      continue;
    }
    if ('default' in property && sameValue(value, property.default)) errors.push(`'${key}' should be removed, it uses a default value`);
    if (!(property.type as readonly string[]).includes(jsonTypeOf(value)))
      errors.push(`'${key}': ${JSON.stringify(value)} is not of type ${property.type.join(', ')}`);
    if (property.enum && !property.enum.includes(String(value)))
      errors.push(`'${key}': ${JSON.stringify(value)} is not one of ${property.enum.join(', ')}`);
    if (typeof value === 'number' && ((property.minimum ?? -Infinity) > value || (property.maximum ?? Infinity) < value))
      errors.push(`'${key}': ${value} is out of range`);
    if (Array.isArray(value) && property.items) {
      const { enum: choices, pattern } = property.items;
      for (const item of value) {
        if (choices && !choices.includes(String(item)))
          errors.push(`'${key}': ${JSON.stringify(item)} is not one of ${choices.join(', ')}`);
        if (pattern && !(typeof item === 'string' && pattern.test(item)))
          errors.push(`'${key}': ${JSON.stringify(item)} does not match ${pattern}`);
      }
    }
  }
  if (typeof manifest['ports'] === 'object' && manifest['ports'] !== null) {
    for (const [port, host] of Object.entries(manifest['ports']))
      if (!(host === null || (Number.isInteger(host) && (host as number) >= 1 && (host as number) <= 65535)))
        errors.push(`'ports': ${port} → ${JSON.stringify(host)} is not a port or null`);
  }
  // lint.py's own checks.
  if (manifest['ingress'] === true) {
    if (manifest['webui']) errors.push("'webui' should be removed, Ingress is enabled.");
    if (manifest['host_network'] !== true && (manifest['ingress_port'] ?? 8099) === 0)
      errors.push("'ingress_port' this does not run on the host network. In Ingress port doesn't have to be randomized (not 0).");
  }
  if (manifest['full_access'] && ['devices', 'gpio', 'uart', 'usb'].some((key) => key in manifest))
    errors.push("'full_access', don't add 'devices', 'uart', 'usb' or 'gpio' this is not needed");
  if ('auto_uart' in manifest) errors.push("'auto_uart' is deprecated, use 'uart' instead.");
  if (Array.isArray(manifest['devices']) && manifest['devices'].some((line) => String(line).includes(':')))
    errors.push("'devices' uses a deprecated format, the new format uses a list of paths only.");
  if ('tmpfs' in manifest && typeof manifest['tmpfs'] !== 'boolean') errors.push("'tmpfs' use a deprecated format, it is a boolean now.");
  if (manifest['backup'] === 'cold')
    for (const option of ['backup_pre', 'backup_post'])
      if (option in manifest) errors.push(`'${option}' is not valid when using cold backups.`);
  if (manifest['watchdog']) errors.push("'watchdog', is obsolete. Use the native Docker HEALTHCHECK directive instead.");
  if ('codenotary' in manifest) errors.push("'codenotary' is deprecated and no longer used. Please remove this field.");
  const map = Array.isArray(manifest['map']) ? manifest['map'].map(String) : [];
  const maps = (folder: string): boolean => [folder, `${folder}:rw`, `${folder}:ro`].some((entry) => map.includes(entry));
  if (maps('config') && maps('homeassistant_config')) errors.push("'map' contains both the 'config' and 'homeassistant_config' folder");
  if (maps('config') && maps('addon_config')) errors.push("'map' contains both the 'config' and 'addon_config' folder");
  return errors;
}

/** What the linter warns about (`::warning`): not failures, but worth none here. */
export function linterWarnings(manifest: Readonly<Record<string, unknown>>): string[] {
  const warnings: string[] = [];
  const arch = Array.isArray(manifest['arch']) ? manifest['arch'] : [];
  for (const deprecated of ['armhf', 'armv7', 'i386'])
    if (arch.includes(deprecated)) warnings.push(`Architecture '${deprecated}' is deprecated`);
  if (manifest['full_access']) warnings.push("'full_access' consider using other options instead, like 'devices'");
  if (manifest['advanced']) warnings.push("'advanced' flag is not recommended");
  const map = Array.isArray(manifest['map']) ? manifest['map'].map(String) : [];
  if (['config', 'config:rw', 'config:ro'].some((entry) => map.includes(entry))) warnings.push("'map' contains the 'config' folder");
  return warnings;
}
