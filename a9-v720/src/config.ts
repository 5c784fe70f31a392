/**
 * Options → one typed, validated Config. Sources, first match wins:
 * `--options FILE` (YAML or JSON), else `/data/options.json` inside the add-on, else defaults.
 * The option names are the add-on's (config.yaml); Config uses camelCase.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { LOG_LEVELS, type LogLevel } from './log.js';
import { LOG_FORMATS, type LogFormat } from './log-format.js';
import { isProfileName, PROFILE_NAMES, type ProfileName } from './simulator/profiles.js';

export interface MqttOptions {
  readonly url?: string;
  readonly username?: string;
  readonly password?: string;
}

export interface Config {
  readonly httpPort: number;
  readonly tcpPort: number;
  readonly webPort: number;
  /** IPv4 handed to cameras in the bootstrap answer; undefined = auto-detect. */
  readonly serverIp?: string;
  readonly offlineAfterSeconds: number;
  readonly mqtt: MqttOptions;
  readonly discoveryPrefix: string;
  readonly baseTopic: string;
  readonly snapshotIntervalSeconds: number;
  readonly snapshotTimeoutSeconds: number;
  /** Lets LAN clients use the read-only media endpoints (snapshot, stream, audio). */
  readonly lanMedia: boolean;
  /** Cameras kept at most (registered ones are never pushed out; the user forgets them). */
  readonly maxCameras: number;
  readonly logLevel: LogLevel;
  /** `human`: one readable line per event (the Log tab); `json`: pino's JSON lines. */
  readonly logFormat: LogFormat;
  readonly dataDir: string;
  /** Address all listeners bind to. */
  readonly listenHost: string;
  /** Number of simulated cameras started next to the server (0 = none). */
  readonly demoCameras: number;
  /** Behaviour of the demo cameras, cycled (`--demo-profiles a,b`); default: the demo mix. */
  readonly demoProfiles?: readonly ProfileName[];
  /** True when running inside the Home Assistant add-on container. */
  readonly inAddon: boolean;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const ADDON_OPTIONS_FILE = '/data/options.json';

type Raw = Record<string, unknown>;

/** Schema of every option: its type check and its default (undefined = optional, no default). */
const OPTION_SPECS = {
  http_port: { kind: 'port', default: 80 },
  tcp_port: { kind: 'port', default: 6123 },
  web_port: { kind: 'port', default: 1234 },
  server_ip: { kind: 'ipv4', default: undefined },
  offline_after: { kind: 'int', min: 5, max: 3600, default: 20 },
  mqtt_url: { kind: 'url', default: undefined },
  mqtt_username: { kind: 'str', default: undefined },
  mqtt_password: { kind: 'str', default: undefined },
  discovery_prefix: { kind: 'topic', default: 'homeassistant' },
  base_topic: { kind: 'topic', default: 'a9_v720' },
  snapshot_interval: { kind: 'int', min: 0, max: 86400, default: 0 },
  snapshot_timeout: { kind: 'int', min: 1, max: 120, default: 10 },
  lan_media: { kind: 'bool', default: true },
  max_cameras: { kind: 'int', min: 1, max: 1000, default: 64 },
  log_level: { kind: 'level', default: 'info' },
  log_format: { kind: 'format', default: 'human' },
} as const satisfies Record<string, OptionSpec>;

type OptionSpec =
  | { kind: 'port' | 'ipv4' | 'url' | 'str' | 'topic' | 'bool' | 'level' | 'format'; default: unknown }
  | { kind: 'int'; min: number; max: number; default: unknown };

export type OptionName = keyof typeof OPTION_SPECS;
export const OPTION_NAMES = Object.keys(OPTION_SPECS) as OptionName[];

/**
 * Options for running outside the add-on only. In the add-on the ports are fixed inside the
 * container (the manifest's `ports` keys, `ingress_port`, the watchdog); the user remaps the
 * host side in the Network panel, and the add-on learns that mapping from the Supervisor.
 */
export const STANDALONE_OPTIONS = ['http_port', 'tcp_port', 'web_port'] as const satisfies readonly OptionName[];

/** The container ports of the add-on: config.yaml's `ports` keys and `ingress_port`. */
export const ADDON_PORTS = { http: 80, tcp: 6123, web: 1234 } as const;

function checkOption(name: string, spec: OptionSpec, value: unknown): unknown {
  const fail = (expected: string): never => {
    throw new ConfigError(`option "${name}": expected ${expected}, got ${JSON.stringify(value)}`);
  };
  switch (spec.kind) {
    case 'port':
      if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 65535) fail('a port number 1–65535');
      return value;
    case 'int':
      if (!Number.isInteger(value) || (value as number) < spec.min || (value as number) > spec.max) {
        fail(`a whole number from ${spec.min} to ${spec.max}`);
      }
      return value;
    case 'ipv4':
      if (typeof value !== 'string' || !isIPv4(value)) fail('an IPv4 address such as 192.168.1.10');
      return value;
    case 'url':
      if (typeof value !== 'string' || !/^mqtts?:\/\/[^\s/]+/.test(value) || !URL.canParse(value)) {
        fail('a broker URL such as mqtt://core-mosquitto:1883');
      }
      return value;
    case 'str':
      if (typeof value !== 'string') fail('a string');
      return value;
    case 'topic':
      if (typeof value !== 'string' || !/^[A-Za-z0-9_\-/]+$/.test(value) || value.startsWith('/') || value.endsWith('/')) {
        fail('an MQTT topic prefix of letters, digits, "_", "-" and "/"');
      }
      return value;
    case 'bool':
      if (typeof value !== 'boolean') fail('true or false');
      return value;
    case 'level':
      if (typeof value !== 'string' || !(LOG_LEVELS as readonly string[]).includes(value)) fail(LOG_LEVELS.join(', '));
      return value;
    case 'format':
      if (typeof value !== 'string' || !(LOG_FORMATS as readonly string[]).includes(value)) fail(LOG_FORMATS.join(' or '));
      return value;
  }
}

/** Validates raw options (from options.json or a YAML file). Unknown keys are reported back. */
export function validateOptions(raw: unknown): { options: Record<OptionName, unknown>; unknownKeys: string[] } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ConfigError('options must be a mapping of option names to values');
  }
  const input = raw as Raw;
  const options = {} as Record<OptionName, unknown>;
  for (const name of OPTION_NAMES) {
    const spec: OptionSpec = OPTION_SPECS[name];
    const value = input[name];
    // The Supervisor drops empty optional options; treat "" and null the same way.
    options[name] = value === undefined || value === null || value === '' ? spec.default : checkOption(name, spec, value);
  }
  const unknownKeys = Object.keys(input).filter((key) => !(OPTION_NAMES as string[]).includes(key));
  return { options, unknownKeys };
}

export interface CliArgs {
  readonly optionsFile?: string;
  readonly dataDir?: string;
  readonly listenHost?: string;
  readonly demoCameras?: number;
  readonly demoProfiles?: readonly ProfileName[];
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
        const unknown = names.filter((name) => !isProfileName(name));
        if (names.length === 0 || unknown.length > 0) {
          throw new ConfigError(
            `--demo-profiles: unknown profile ${JSON.stringify(unknown.join(','))} (known: ${PROFILE_NAMES.join(', ')})`,
          );
        }
        args.demoProfiles = names as ProfileName[];
        break;
      }
      default:
        throw new ConfigError(
          `unknown argument ${JSON.stringify(arg)} (known: --options FILE, --data-dir DIR, --listen HOST, --demo [N], --demo-profiles a,b)`,
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
    throw new ConfigError(`cannot read options file ${file}: ${(error as Error).message}`);
  }
  try {
    // YAML is a superset of JSON, so one parser reads both.
    return parseYaml(text) ?? {};
  } catch (error) {
    throw new ConfigError(`options file ${file} is not valid YAML/JSON: ${(error as Error).message.split('\n')[0]}`);
  }
}

export interface LoadedConfig {
  readonly config: Config;
  readonly source: string;
  readonly warnings: string[];
}

/**
 * Builds the Config. Outside the add-on (no /data/options.json) the defaults are made to work
 * without root: HTTP bootstrap on 8080 instead of 80 unless http_port is set.
 */
export function loadConfig(argv: readonly string[], addonOptionsFile = ADDON_OPTIONS_FILE): LoadedConfig {
  const cli = parseCliArgs(argv);
  const inAddon = cli.optionsFile === undefined && existsSync(addonOptionsFile);
  const source = cli.optionsFile ?? (inAddon ? addonOptionsFile : 'defaults');
  const raw = source === 'defaults' ? {} : readOptionsFile(source);
  const { options, unknownKeys } = validateOptions(raw);
  const warnings = unknownKeys.map((key) => `unknown option "${key}" in ${source} is ignored`);
  const rawHttpPortSet = (raw as Raw)['http_port'] !== undefined;
  const demoCameras = cli.demoCameras ?? 0;
  const httpPort = !inAddon && !rawHttpPortSet ? 8080 : (options.http_port as number);
  if (inAddon) {
    for (const name of STANDALONE_OPTIONS) {
      if ((raw as Raw)[name] !== undefined)
        warnings.push(`option "${name}" is ignored in the add-on: change the host port in the add-on's Network settings instead`);
    }
  }
  const config: Config = {
    httpPort: inAddon ? ADDON_PORTS.http : httpPort,
    tcpPort: inAddon ? ADDON_PORTS.tcp : (options.tcp_port as number),
    webPort: inAddon ? ADDON_PORTS.web : (options.web_port as number),
    serverIp: (options.server_ip as string | undefined) ?? (demoCameras > 0 ? '127.0.0.1' : undefined),
    offlineAfterSeconds: options.offline_after as number,
    mqtt: {
      url: options.mqtt_url as string | undefined,
      username: options.mqtt_username as string | undefined,
      password: options.mqtt_password as string | undefined,
    },
    discoveryPrefix: options.discovery_prefix as string,
    baseTopic: options.base_topic as string,
    snapshotIntervalSeconds: options.snapshot_interval as number,
    snapshotTimeoutSeconds: options.snapshot_timeout as number,
    lanMedia: options.lan_media as boolean,
    maxCameras: options.max_cameras as number,
    logLevel: options.log_level as LogLevel,
    logFormat: options.log_format as LogFormat,
    dataDir: path.resolve(cli.dataDir ?? (inAddon ? '/data' : '.data')),
    listenHost: cli.listenHost ?? (inAddon ? '0.0.0.0' : demoCameras > 0 ? '127.0.0.1' : '0.0.0.0'),
    demoCameras,
    demoProfiles: cli.demoProfiles,
    inAddon,
  };
  const ports = [config.httpPort, config.tcpPort, config.webPort];
  if (new Set(ports).size !== ports.length) {
    throw new ConfigError(`options "http_port", "tcp_port" and "web_port" must differ (got ${ports.join(', ')})`);
  }
  return { config, source, warnings };
}
