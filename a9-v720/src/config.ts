/**
 * Options → one typed, validated Config. Sources, first match wins:
 * `--options FILE` (YAML or JSON), else `/data/options.json` inside the add-on, else defaults.
 * The option names are the add-on's (config.yaml); Config uses camelCase.
 *
 * OPTION_SPECS is the one description of the options: per option its kind (what config.yaml's
 * schema must say), default, Config field and a parser that returns the typed value. The
 * Config type and the mapping of options.json onto it (`optionFields`) are derived from it, so
 * a new option is one row and nothing here is cast.
 *
 * This module is on the production path: it must not import the simulator (demo code is loaded
 * by main.ts only for `--demo`; test/core/production-imports.test.ts checks it).
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { CameraAddress } from './camera/camera-facing.js';
import { LOG_LEVELS } from './log.js';
import { LOG_FORMATS } from './log-format.js';
import { errorMessage } from './util/error-message.js';
import { detectLanIpv4 } from './util/net.js';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const ADDON_OPTIONS_FILE = '/data/options.json';

/** What an option's value may be; also what config.yaml's schema must say (test/addon/manifest.test.ts). */
export type OptionKind =
  | { readonly type: 'port' }
  | { readonly type: 'int'; readonly min: number; readonly max: number }
  | { readonly type: 'bool' }
  | { readonly type: 'enum'; readonly choices: readonly string[] }
  | { readonly type: 'string'; readonly format: StringFormat };

/** `any`: every string; the others are checked (config.yaml's schema says the same with `match(…)`). */
export type StringFormat = 'any' | 'ipv4' | 'broker-url' | 'topic';

/** A parser's answer: the typed value, or what was expected (for the error line). */
export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly expected: string };

/** Where in Config an option's value lands: the top level, or `config.mqtt`. */
export type OptionGroup = 'top' | 'mqtt';

/** One row of the option table. */
export interface OptionSpec<T, F extends string = string, D extends T | undefined = T | undefined, G extends OptionGroup = OptionGroup> {
  readonly kind: OptionKind;
  /** The Config field (camelCase) the value goes to, inside `group`. */
  readonly field: F;
  readonly group: G;
  /** Used when the option is absent, null or "" (the Supervisor drops empty optional options); undefined: optional. */
  readonly default: D;
  /**
   * The value inside the add-on, whatever the options say: set for the options that only apply
   * outside it (the ports, see STANDALONE_OPTIONS); undefined: the option is the add-on's too.
   */
  readonly addonValue?: T;
  readonly parse: (value: unknown) => Parsed<T>;
}

const valid = <T>(value: T): Parsed<T> => ({ ok: true, value });
const invalid = (expected: string): Parsed<never> => ({ ok: false, expected });

function isOneOf<C extends string>(choices: readonly C[], value: unknown): value is C {
  return choices.some((choice) => choice === value);
}

function wholeNumber(min: number, max: number, expected: string): (value: unknown) => Parsed<number> {
  return (value) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max ? valid(value) : invalid(expected);
}

const STRING_CHECKS: Readonly<Record<StringFormat, { readonly accepts: (value: string) => boolean; readonly expected: string }>> = {
  any: { accepts: () => true, expected: 'a string' },
  ipv4: { accepts: isIPv4, expected: 'an IPv4 address such as 192.168.1.10' },
  'broker-url': {
    accepts: (value) => /^mqtts?:\/\/[^\s/]+/.test(value) && URL.canParse(value),
    expected: 'a broker URL such as mqtt://core-mosquitto:1883',
  },
  topic: {
    accepts: (value) => /^[A-Za-z0-9_\-/]+$/.test(value) && !value.startsWith('/') && !value.endsWith('/'),
    expected: 'an MQTT topic prefix of letters, digits, "_", "-" and "/"',
  },
};

/** The container ports of the add-on: config.yaml's `ports` keys and `ingress_port`. */
export const ADDON_PORTS = { http: 80, tcp: 6123, web: 1234 } as const;

/** Ports are options only outside the add-on: inside, the container ports are fixed (ADDON_PORTS). */
function port<F extends string>(field: F, fallback: number, addonPort: number): OptionSpec<number, F, number, 'top'> {
  return {
    kind: { type: 'port' },
    field,
    group: 'top',
    default: fallback,
    addonValue: addonPort,
    parse: wholeNumber(1, 65535, 'a port number 1–65535'),
  };
}

function int<F extends string>(field: F, min: number, max: number, fallback: number): OptionSpec<number, F, number, 'top'> {
  return {
    kind: { type: 'int', min, max },
    field,
    group: 'top',
    default: fallback,
    parse: wholeNumber(min, max, `a whole number from ${min} to ${max}`),
  };
}

function bool<F extends string>(field: F, fallback: boolean): OptionSpec<boolean, F, boolean, 'top'> {
  return {
    kind: { type: 'bool' },
    field,
    group: 'top',
    default: fallback,
    parse: (value) => (typeof value === 'boolean' ? valid(value) : invalid('true or false')),
  };
}

/** One of `choices`; `expected` is how the error line lists them. */
function oneOf<C extends string, F extends string>(
  field: F,
  choices: readonly C[],
  fallback: C,
  expected: string,
): OptionSpec<C, F, C, 'top'> {
  return {
    kind: { type: 'enum', choices },
    field,
    group: 'top',
    default: fallback,
    parse: (value) => (isOneOf(choices, value) ? valid(value) : invalid(expected)),
  };
}

function text<F extends string, D extends string | undefined>(
  field: F,
  format: StringFormat,
  fallback: D,
): OptionSpec<string, F, D, 'top'> {
  const check = STRING_CHECKS[format];
  return {
    kind: { type: 'string', format },
    field,
    group: 'top',
    default: fallback,
    parse: (value) => (typeof value === 'string' && check.accepts(value) ? valid(value) : invalid(check.expected)),
  };
}

function inMqtt<T, F extends string, D extends T | undefined>(spec: OptionSpec<T, F, D, 'top'>): OptionSpec<T, F, D, 'mqtt'> {
  return { ...spec, group: 'mqtt' };
}

/**
 * Every option, keyed by its name in options.json / the YAML file / config.yaml. The Config
 * type below and loadConfig's mapping are derived from this table: a new option is one row here.
 */
export const OPTION_SPECS = {
  /** Outside the add-on 8080, so that it runs without root; the cameras' port 80 is the add-on's. */
  http_port: port('httpPort', 8080, ADDON_PORTS.http),
  tcp_port: port('tcpPort', 6123, ADDON_PORTS.tcp),
  web_port: port('webPort', 1234, ADDON_PORTS.web),
  /** IPv4 handed to cameras in the bootstrap answer; absent = auto-detect. */
  server_ip: text('serverIp', 'ipv4', undefined),
  offline_after: int('offlineAfterSeconds', 5, 3600, 20),
  mqtt_url: inMqtt(text('url', 'broker-url', undefined)),
  mqtt_username: inMqtt(text('username', 'any', undefined)),
  mqtt_password: inMqtt(text('password', 'any', undefined)),
  discovery_prefix: text('discoveryPrefix', 'topic', 'homeassistant'),
  base_topic: text('baseTopic', 'topic', 'a9_v720'),
  snapshot_interval: int('snapshotIntervalSeconds', 0, 86400, 0),
  snapshot_timeout: int('snapshotTimeoutSeconds', 1, 120, 10),
  /** Lets LAN clients use the read-only media endpoints (snapshot, stream, audio). */
  lan_media: bool('lanMedia', true),
  /** Under the Supervisor: create HA's MJPEG IP Camera entry for each camera by itself (ha/live-entities.ts). */
  live_entities: bool('liveEntities', true),
  /** Cameras kept at most (registered ones are never pushed out; the user forgets them). */
  max_cameras: int('maxCameras', 1, 1000, 64),
  log_level: oneOf('logLevel', LOG_LEVELS, 'info', LOG_LEVELS.join(', ')),
  /** `human`: one readable line per event (the Log tab); `json`: pino's JSON lines. */
  log_format: oneOf('logFormat', LOG_FORMATS, 'human', LOG_FORMATS.join(' or ')),
};

type Specs = typeof OPTION_SPECS;
export type OptionName = keyof Specs;

/** The value type of a row: its parser's, plus undefined when it has no default. */
type ValueOf<S> = S extends { readonly parse: (value: unknown) => Parsed<infer T>; readonly default: infer D }
  ? undefined extends D
    ? T | undefined
    : T
  : never;

/** Validated options, by option name. */
export type OptionValues = { readonly [K in OptionName]: ValueOf<Specs[K]> };

type NamesIn<G extends OptionGroup> = { [K in OptionName]: Specs[K]['group'] extends G ? K : never }[OptionName];

/** One flat object type instead of an intersection (what an editor shows for Config). */
type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The Config fields of one group: options with a default are required, the others optional. */
type FieldsOf<G extends OptionGroup> = Simplify<
  {
    readonly [K in NamesIn<G> as undefined extends Specs[K]['default'] ? never : Specs[K]['field']]: ValueOf<Specs[K]>;
  } & {
    readonly [K in NamesIn<G> as undefined extends Specs[K]['default'] ? Specs[K]['field'] : never]?: ValueOf<Specs[K]>;
  }
>;

export type MqttOptions = FieldsOf<'mqtt'>;

/** The part of Config that the options make: every row's value at its field, in its group. */
export type OptionFields = Simplify<FieldsOf<'top'> & { readonly mqtt: MqttOptions }>;

export type Config = Simplify<
  OptionFields & {
    readonly dataDir: string;
    /** Address all listeners bind to. */
    readonly listenHost: string;
    /** Number of simulated cameras started next to the server (0 = none). */
    readonly demoCameras: number;
    /** Behaviour of the demo cameras, cycled (`--demo-profiles a,b`); default: the demo mix. */
    readonly demoProfiles?: readonly DemoProfileName[];
    /** True when running inside the Home Assistant add-on container. */
    readonly inAddon: boolean;
    /** DNS servers the setup check asks (`--dns-server HOST:PORT`); absent: the system's. */
    readonly dnsServers?: readonly string[];
  }
>;

function isOptionName(key: string): key is OptionName {
  return Object.hasOwn(OPTION_SPECS, key);
}

export const OPTION_NAMES: readonly OptionName[] = Object.keys(OPTION_SPECS).filter(isOptionName);

/**
 * Options for running outside the add-on only. In the add-on the ports are fixed inside the
 * container (the manifest's `ports` keys, `ingress_port`, the Dockerfile's HEALTHCHECK); the user
 * remaps the host side in the Network panel, and the add-on learns that mapping from the Supervisor.
 */
export const STANDALONE_OPTIONS: readonly OptionName[] = OPTION_NAMES.filter((name) => OPTION_SPECS[name].addonValue !== undefined);

/**
 * The table seen per option name, so that a row's parser and default share one type with its
 * value: the compiler checks OPTION_SPECS against this shape (no cast).
 */
const SPEC_BY_NAME: { readonly [K in OptionName]: OptionSpec<OptionValues[K], string, OptionValues[K]> } = OPTION_SPECS;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionsRecord(raw: unknown): Record<string, unknown> {
  if (!isRecord(raw)) throw new ConfigError('options must be a mapping of option names to values');
  return raw;
}

function readOption<K extends OptionName>(name: K, input: Record<string, unknown>): OptionValues[K] {
  const spec = SPEC_BY_NAME[name];
  const value = input[name];
  // The Supervisor drops empty optional options; treat "" and null the same way.
  if (value === undefined || value === null || value === '') return spec.default;
  const parsed = spec.parse(value);
  if (!parsed.ok) throw new ConfigError(`option "${name}": expected ${parsed.expected}, got ${JSON.stringify(value)}`);
  return parsed.value;
}

type PartialValues = { -readonly [K in OptionName]?: OptionValues[K] };

function setOption<K extends OptionName>(values: PartialValues, name: K, value: OptionValues[K]): void {
  values[name] = value;
}

function hasEveryOption(values: PartialValues): values is OptionValues {
  return OPTION_NAMES.every((name) => name in values);
}

/** Inside the add-on, the options that only apply outside it take their fixed add-on value. */
function addonValues(options: OptionValues): OptionValues {
  const values: PartialValues = { ...options };
  for (const name of STANDALONE_OPTIONS) {
    const fixed = SPEC_BY_NAME[name].addonValue;
    if (fixed !== undefined) setOption(values, name, fixed);
  }
  if (!hasEveryOption(values)) throw new Error('option table and OPTION_NAMES disagree');
  return values;
}

type Fields = Record<string, unknown>;

/** Whether `fields` holds every Config field of `group`'s rows (values typed by the table). */
function hasFieldsOf<G extends OptionGroup>(group: G, fields: Fields): fields is FieldsOf<G> {
  return OPTION_NAMES.every((name) => OPTION_SPECS[name].group !== group || OPTION_SPECS[name].field in fields);
}

/** The options as Config fields: each row's value at its `field`, inside its `group`. */
export function optionFields(options: OptionValues): OptionFields {
  const groups: Record<OptionGroup, Fields> = { top: {}, mqtt: {} };
  for (const name of OPTION_NAMES) groups[OPTION_SPECS[name].group][OPTION_SPECS[name].field] = options[name];
  const { top, mqtt } = groups;
  if (!hasFieldsOf('top', top) || !hasFieldsOf('mqtt', mqtt)) throw new Error('option table and Config disagree');
  return { ...top, mqtt };
}

/** Validates raw options (from options.json or a YAML file). Unknown keys are reported back. */
export function validateOptions(raw: unknown): { options: OptionValues; unknownKeys: string[] } {
  const input = optionsRecord(raw);
  const values: PartialValues = {};
  for (const name of OPTION_NAMES) setOption(values, name, readOption(name, input));
  if (!hasEveryOption(values)) throw new Error('option table and OPTION_NAMES disagree');
  const unknownKeys = Object.keys(input).filter((key) => !isOptionName(key));
  return { options: values, unknownKeys };
}

/**
 * The simulated cameras' behaviours that `--demo-profiles` accepts. Their definitions are the
 * simulator's (src/simulator/profiles.ts, one per name: the compiler checks both ways); only the
 * names live here, so that reading the command line does not load the simulator.
 */
/** Where the demo's setup check asks DNS: a loopback port where nothing listens (see loadConfig). */
export const DEMO_DNS_SERVER = '127.0.0.1:9';

export const DEMO_PROFILE_NAMES = [
  'ideal',
  'lossy-home-wifi',
  'weak-wifi',
  'pcm-202312111512',
  'separate-audio-counter',
  'x6-mini',
  'no-fragment-flags',
  'first-boot',
  'mqtt-only-202411152039',
  'bootstrap-only',
  'udp-blocked',
  'forgetful',
] as const;

export type DemoProfileName = (typeof DEMO_PROFILE_NAMES)[number];

export function isDemoProfileName(name: string): name is DemoProfileName {
  return isOneOf(DEMO_PROFILE_NAMES, name);
}

export interface CliArgs {
  readonly optionsFile?: string;
  readonly dataDir?: string;
  readonly listenHost?: string;
  readonly demoCameras?: number;
  readonly demoProfiles?: readonly DemoProfileName[];
  readonly dnsServers?: readonly string[];
}

export function parseCliArgs(argv: readonly string[]): CliArgs {
  const args: { -readonly [K in keyof CliArgs]: CliArgs[K] } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = (): string => {
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new ConfigError(`${arg} needs a value`);
      return value;
    };
    switch (arg) {
      case '--options':
        args.optionsFile = next();
        break;
      case '--data-dir':
        args.dataDir = next();
        break;
      case '--listen':
        args.listenHost = next();
        break;
      case '--demo': {
        const value = argv[i + 1];
        if (value !== undefined && /^\d+$/.test(value)) {
          args.demoCameras = Number(value);
          i++;
        } else {
          args.demoCameras = 3;
        }
        break;
      }
      case '--demo-profiles': {
        const names = next()
          .split(',')
          .filter((name) => name !== '');
        const profiles = names.filter(isDemoProfileName);
        const unknown = names.filter((name) => !isDemoProfileName(name));
        if (names.length === 0 || unknown.length > 0) {
          throw new ConfigError(
            `--demo-profiles: unknown profile ${JSON.stringify(unknown.join(','))} (known: ${DEMO_PROFILE_NAMES.join(', ')})`,
          );
        }
        args.demoProfiles = profiles;
        break;
      }
      case '--dns-server': {
        // Where the setup check asks DNS (tests: a local fake); repeatable.
        const server = next();
        if (!/^[\d.]+(:\d{1,5})?$|^\[[\da-fA-F:]+\](:\d{1,5})?$/.test(server))
          throw new ConfigError(`--dns-server: expected an IP address with an optional :port, got ${JSON.stringify(server)}`);
        args.dnsServers = [...(args.dnsServers ?? []), server];
        break;
      }
      default:
        throw new ConfigError(
          `unknown argument ${JSON.stringify(arg)} (known: --options FILE, --data-dir DIR, --listen HOST, --demo [N], --demo-profiles a,b, --dns-server HOST:PORT)`,
        );
    }
  }
  return args;
}

function readOptionsFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read options file ${file}: ${errorMessage(error)}`);
  }
  try {
    // The Supervisor writes JSON: the YAML parser (a superset, for hand-written files) is loaded
    // only when JSON fails, which keeps about 5 MB of resident memory out of the add-on.
    return (JSON.parse(text) as unknown) ?? {};
  } catch {
    // Not JSON: YAML below, whose error is the one shown.
  }
  try {
    const { parse } = loadYaml();
    return parse(text) ?? {};
  } catch (error) {
    throw new ConfigError(`options file ${file} is not valid YAML/JSON: ${errorMessage(error).split('\n')[0]}`);
  }
}

/** The `yaml` package, loaded on first use (synchronously: loadConfig is synchronous). */
function loadYaml(): typeof import('yaml') {
  return createRequire(import.meta.url)('yaml') as typeof import('yaml');
}

export interface LoadedConfig {
  readonly config: Config;
  readonly source: string;
  readonly warnings: string[];
}

/**
 * Builds the Config: the options mapped by the table (`optionFields`), inside the add-on with the
 * ports fixed to the container's, plus what only the command line says. Outside the add-on
 * (no /data/options.json) the defaults work without root (HTTP bootstrap on 8080).
 */
export function loadConfig(argv: readonly string[], addonOptionsFile = ADDON_OPTIONS_FILE): LoadedConfig {
  const cli = parseCliArgs(argv);
  const inAddon = cli.optionsFile === undefined && existsSync(addonOptionsFile);
  const source = cli.optionsFile ?? (inAddon ? addonOptionsFile : 'defaults');
  const raw = optionsRecord(source === 'defaults' ? {} : readOptionsFile(source));
  const { options, unknownKeys } = validateOptions(raw);
  const warnings = unknownKeys.map((key) => `unknown option "${key}" in ${source} is ignored`);
  if (inAddon) {
    for (const name of STANDALONE_OPTIONS) {
      if (raw[name] !== undefined)
        warnings.push(`option "${name}" is ignored in the add-on: change the host port in the add-on's Network settings instead`);
    }
  }
  const fields = optionFields(inAddon ? addonValues(options) : options);
  const demoCameras = cli.demoCameras ?? 0;
  const config: Config = {
    ...fields,
    // Demo cameras run on loopback: hand them this host's loopback address unless told otherwise.
    serverIp: fields.serverIp ?? (demoCameras > 0 ? '127.0.0.1' : undefined),
    dataDir: path.resolve(cli.dataDir ?? (inAddon ? '/data' : '.data')),
    listenHost: cli.listenHost ?? (inAddon ? '0.0.0.0' : demoCameras > 0 ? '127.0.0.1' : '0.0.0.0'),
    demoCameras,
    demoProfiles: cli.demoProfiles,
    inAddon,
    // The demo's cameras are simulated on loopback and use no DNS, so the vendor names' answers say
    // nothing about them, and a demo sends nothing off this machine: unless --dns-server is given,
    // its setup check asks a loopback port where nothing listens and shows DNS as not checked.
    ...(cli.dnsServers ? { dnsServers: cli.dnsServers } : demoCameras > 0 ? { dnsServers: [DEMO_DNS_SERVER] } : {}),
  };
  const ports = [config.httpPort, config.tcpPort, config.webPort];
  if (new Set(ports).size !== ports.length) {
    throw new ConfigError(`options "http_port", "tcp_port" and "web_port" must differ (got ${ports.join(', ')})`);
  }
  return { config, source, warnings };
}

/**
 * The address cameras are told to use (bootstrap `host`, the NAT request), also the host of the
 * dashboard link and of the LAN media URLs: the `server_ip` option, else the host's LAN address
 * (from the Supervisor, known only at run time), else a detected LAN IPv4, else 127.0.0.1.
 * Resolved once at start; a camera that reached us on a usable address of its own still gets
 * that one when nothing better than detection is known (CameraFacing).
 */
export function resolveCameraAddress(
  serverIp: string | undefined,
  hostAddress: string | undefined,
  detect: () => string | undefined = detectLanIpv4,
): CameraAddress {
  if (serverIp) return { address: serverIp, source: 'server_ip' };
  if (hostAddress) return { address: hostAddress, source: 'supervisor' };
  return { address: detect() ?? '127.0.0.1', source: 'detected' };
}
