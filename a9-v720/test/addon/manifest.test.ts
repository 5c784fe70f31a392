/**
 * Static checks of the add-on manifest (config.yaml), its translations and repository.yaml
 * against the Supervisor's rules and against the option definitions in src/config.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ADDON_PORTS, OPTION_NAMES, OPTION_SPECS, STANDALONE_OPTIONS, validateOptions, type OptionKind } from '../../src/config.js';
import {
  ADDON_DIR,
  apparmorProblems,
  checkOptionValue,
  FORBIDDEN_KEYS,
  isRecord,
  parseSchemaType,
  readYaml,
  REPO_ROOT,
  RE_APPARMOR_PROFILE,
  RE_DOCKER_PORT,
  RE_PORT_KEY,
  RE_SERVICE,
  RE_SLUG,
  REQUIRED_KEYS,
  securityRating,
  SUPPORTED_ARCH,
  type SchemaType,
} from './supervisor-rules.js';

const CONFIG_FILE = path.join(ADDON_DIR, 'config.yaml');
const manifestText = readFileSync(CONFIG_FILE, 'utf8');
const manifestRaw = readYaml(CONFIG_FILE);
assert.ok(isRecord(manifestRaw), 'config.yaml must be a mapping');
const manifest: Record<string, unknown> = manifestRaw;
const options = isRecord(manifest['options']) ? manifest['options'] : {};
const schema = isRecord(manifest['schema']) ? manifest['schema'] : {};
const ports = isRecord(manifest['ports']) ? manifest['ports'] : {};
/** The options of the add-on: config.ts's, without those that only apply outside the add-on. */
const ADDON_OPTION_NAMES = OPTION_NAMES.filter((name) => !(STANDALONE_OPTIONS as readonly string[]).includes(name));

function schemaTypes(): Map<string, SchemaType> {
  const types = new Map<string, SchemaType>();
  for (const [key, raw] of Object.entries(schema)) {
    assert.equal(typeof raw, 'string', `schema.${key} must be a type string (no nesting is used here)`);
    const type = parseSchemaType(raw as string);
    assert.ok(type, `schema.${key}: "${String(raw)}" is not a type the Supervisor knows`);
    types.set(key, type);
  }
  return types;
}

describe('config.yaml against the Supervisor rules', () => {
  test('has the required keys with valid values', () => {
    for (const key of REQUIRED_KEYS) assert.ok(key in manifest, `config.yaml is missing "${key}"`);
    assert.equal(typeof manifest['name'], 'string');
    assert.equal(typeof manifest['description'], 'string');
    assert.equal(typeof manifest['version'], 'string', 'version must be a quoted string');
    assert.match(manifestText, /^version: "[^"]+"$/m, 'version must be written quoted');
    assert.match(manifest['version'] as string, /^\d+\.\d+\.\d+/);
    assert.match(String(manifest['slug']), RE_SLUG);
  });

  test('version equals package.json version', () => {
    const pkg = JSON.parse(readFileSync(path.join(ADDON_DIR, 'package.json'), 'utf8')) as { version: string };
    assert.equal(manifest['version'], pkg.version);
  });

  test('arch is a non-empty subset of aarch64/amd64', () => {
    const arch: unknown = manifest['arch'];
    assert.ok(Array.isArray(arch) && arch.length > 0, 'arch must be a non-empty list');
    for (const a of arch as unknown[]) assert.ok((SUPPORTED_ARCH as readonly unknown[]).includes(a), `unsupported arch "${String(a)}"`);
    assert.equal(new Set(arch).size, arch.length, 'arch has duplicates');
  });

  test('uses no retired or forbidden keys and no explicit nulls', () => {
    for (const key of FORBIDDEN_KEYS) assert.ok(!(key in manifest), `config.yaml must not contain "${key}"`);
    for (const [key, value] of Object.entries(manifest)) assert.notEqual(value, null, `"${key}" is explicitly null`);
    for (const file of ['build.yaml', 'build.yml', 'build.json']) {
      assert.ok(!existsSync(path.join(ADDON_DIR, file)), `${file} is retired; the Dockerfile carries BUILD_FROM`);
    }
  });

  test('add-on runtime settings the add-on relies on', () => {
    assert.equal(manifest['init'], false, 'init: false (s6-overlay is PID 1 in the base image)');
    assert.ok(!('host_network' in manifest), 'runs on the Supervisor network with mapped ports, not on the host network');
    assert.equal(manifest['hassio_api'], true, 'needs GET /network/info and /addons/self/info');
    assert.ok(!('hassio_role' in manifest), 'the default role (info calls only) is enough');
    assert.equal(manifest['ingress'], true);
    assert.equal(manifest['panel_icon'], 'mdi:cctv');
    const services = manifest['services'];
    assert.ok(Array.isArray(services), 'services must be a list');
    for (const s of services) assert.match(String(s), RE_SERVICE);
    assert.deepEqual(services, ['mqtt:want'], 'the add-on runs without a broker too');
    assert.equal(typeof manifest['url'], 'string');
    assert.ok(URL.canParse(manifest['url'] as string), 'url must be a URL');
    const timeout = manifest['timeout'];
    assert.ok(Number.isInteger(timeout) && (timeout as number) >= 10 && (timeout as number) <= 300, 'timeout must be 10–300');
  });

  test('no keys at their default value (the add-on linter flags them)', () => {
    const defaults: Record<string, unknown> = {
      boot: 'auto',
      startup: 'application',
      host_network: false,
      ingress_port: 8099,
      hassio_role: 'default',
      apparmor: true,
    };
    for (const [key, value] of Object.entries(defaults)) {
      assert.notDeepEqual(manifest[key], value, `"${key}: ${String(value)}" is the default; leave it out`);
    }
  });

  test('homeassistant minimum version knows every discovery key used (default_entity_id: 2025.10)', () => {
    const declared: unknown = manifest['homeassistant'];
    const version = typeof declared === 'string' ? declared : '';
    assert.match(version, /^\d{4}\.\d{1,2}\.\d+$/, 'homeassistant must be a quoted version such as "2025.10.0"');
    const [year, month] = version.split('.').map(Number) as [number, number];
    const discoverySource =
      readFileSync(path.join(ADDON_DIR, 'src/ha/discovery.ts'), 'utf8') + readFileSync(path.join(ADDON_DIR, 'src/ha/entities.ts'), 'utf8');
    if (discoverySource.includes('default_entity_id'))
      assert.ok(year > 2025 || (year === 2025 && month >= 10), `default_entity_id needs HA 2025.10, manifest says ${version}`);
  });

  test('no watchdog (obsolete: the Dockerfile HEALTHCHECK probes the fixed container ports); no port is a user option', () => {
    // The Supervisor still accepts `watchdog`; the community linter refuses it (addon-linter.test.ts).
    assert.ok(!('watchdog' in manifest), 'the health of the add-on is the Dockerfile HEALTHCHECK (image.test.ts)');
    for (const key of Object.keys(schema))
      assert.ok(!/port/.test(key), `"${key}": no port is a user option in the add-on (the Network panel remaps them)`);
  });

  test('ports and ports_description are valid and agree', () => {
    const descriptions = isRecord(manifest['ports_description']) ? manifest['ports_description'] : {};
    for (const [key, value] of Object.entries(ports)) {
      assert.match(key, RE_DOCKER_PORT);
      assert.match(key, RE_PORT_KEY, `port key "${key}" should name its protocol`);
      assert.ok(
        value === null || (Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 65535),
        `ports.${key} must be a port or null`,
      );
    }
    assert.deepEqual(Object.keys(descriptions).sort(), Object.keys(ports).sort());
    for (const value of Object.values(descriptions)) assert.equal(typeof value, 'string');
    // Exactly the container ports the add-on listens on, each mapped to the same host port by default.
    const expected = {
      [`${ADDON_PORTS.http}/tcp`]: ADDON_PORTS.http,
      [`${ADDON_PORTS.tcp}/tcp`]: ADDON_PORTS.tcp,
      [`${ADDON_PORTS.tcp}/udp`]: ADDON_PORTS.tcp,
      [`${ADDON_PORTS.web}/tcp`]: ADDON_PORTS.web,
    };
    assert.deepEqual(ports, expected);
  });

  test('ingress_port is the fixed container port of the web server', () => {
    assert.equal(manifest['ingress_port'], ADDON_PORTS.web);
    assert.ok(`${ADDON_PORTS.web}/tcp` in ports, 'the same server answers LAN media URLs on its mapped port');
  });

  test('security rating (supervisor/apps/utils.py rating_security) is at least 8 with the AppArmor profile', () => {
    const rating = securityRating(manifest, existsSync(path.join(ADDON_DIR, 'apparmor.txt')));
    assert.equal(rating, 8, `security rating ${rating}`);
  });

  test('every schema element is a valid Supervisor type', () => {
    const types = schemaTypes();
    assert.ok(types.size > 0, 'config.yaml has a schema with at least one element');
  });

  test('options and schema list the same keys; optional ones have no default', () => {
    const types = schemaTypes();
    for (const key of Object.keys(options)) assert.ok(types.has(key), `option "${key}" has no schema entry`);
    for (const [key, type] of types) {
      if (type.optional) assert.ok(!(key in options), `optional "${key}" must not have a default in options`);
      else assert.ok(key in options, `required schema key "${key}" needs a default in options`);
    }
  });

  test('each default is valid for its schema type', () => {
    const types = schemaTypes();
    for (const [key, value] of Object.entries(options)) {
      const type = types.get(key);
      assert.ok(type, `option "${key}" has no schema entry`);
      assert.equal(checkOptionValue(type, value), undefined, `option "${key}"`);
    }
  });

  test('secrets use the password type', () => {
    const types = schemaTypes();
    for (const key of types.keys()) {
      if (/password|secret|token/.test(key)) assert.equal(types.get(key)?.base, 'password', `"${key}" must be password`);
    }
  });
});

describe('config.yaml agrees with src/config.ts', () => {
  const defaults = validateOptions({}).options as Record<string, unknown>;

  test('schema keys are exactly the add-on options of config.ts', () => {
    assert.deepEqual(Object.keys(schema).sort(), [...ADDON_OPTION_NAMES].sort());
  });

  test('validateOptions accepts the manifest defaults, with no unknown keys', () => {
    const result = validateOptions(options);
    assert.deepEqual(result.unknownKeys, []);
  });

  test('defaults agree; options without a default in config.ts are optional', () => {
    const types = schemaTypes();
    for (const name of ADDON_OPTION_NAMES) {
      if (defaults[name] === undefined) {
        assert.ok(types.get(name)?.optional, `"${name}" has no default in config.ts, so schema must end in "?"`);
        assert.ok(!(name in options), `"${name}" has no default in config.ts, so config.yaml options must not set it`);
      } else {
        assert.deepEqual(options[name], defaults[name], `default of "${name}"`);
      }
    }
  });

  test('each schema type says the kind and default of its row in the option table', () => {
    /** The Supervisor schema that describes a row's kind (the `match(…)` patterns are compared by samples below). */
    const schemaFor = (kind: OptionKind): string[] => {
      switch (kind.type) {
        case 'port':
          return ['port'];
        case 'int':
          return [`int(${kind.min},${kind.max})`];
        case 'bool':
          return ['bool'];
        case 'enum':
          return [`list(${kind.choices.join('|')})`];
        case 'string':
          return kind.format === 'any' ? ['str', 'password'] : ['match'];
      }
    };
    const types = schemaTypes();
    for (const name of ADDON_OPTION_NAMES) {
      const spec = OPTION_SPECS[name];
      const type = types.get(name);
      assert.ok(type, `option "${name}" of config.ts has no schema entry`);
      const expected = schemaFor(spec.kind);
      const actual = type.base === 'match' ? 'match' : type.raw.replace(/\?$/, '');
      assert.ok(expected.includes(actual), `${name}: schema "${type.raw}" for a ${JSON.stringify(spec.kind)} option`);
      assert.equal(type.optional, spec.default === undefined, `${name}: optional in the schema exactly when the table has no default`);
      if (spec.default !== undefined) assert.deepEqual(options[name], spec.default, `default of "${name}"`);
    }
  });

  test('int ranges and list choices in the schema are the ones config.ts enforces', () => {
    const types = schemaTypes();
    const accepts = (name: string, value: unknown): boolean => {
      try {
        validateOptions({ [name]: value });
        return true;
      } catch {
        return false;
      }
    };
    for (const [name, type] of types) {
      if (type.base === 'int' && type.min !== undefined && type.max !== undefined) {
        assert.ok(accepts(name, type.min) && accepts(name, type.max), `${name}: config.ts rejects a bound of ${type.raw}`);
        assert.ok(!accepts(name, type.min - 1) && !accepts(name, type.max + 1), `${name}: config.ts accepts values outside ${type.raw}`);
      }
      if (type.base === 'port') {
        assert.ok(accepts(name, 1) && accepts(name, 65535) && !accepts(name, 0) && !accepts(name, 65536), `${name}: port range`);
      }
      if (type.base === 'list') {
        for (const choice of type.choices ?? []) assert.ok(accepts(name, choice), `${name}: config.ts rejects "${choice}"`);
        assert.ok(!accepts(name, 'not-a-choice'), `${name}: config.ts accepts "not-a-choice"`);
      }
      if (type.base === 'bool') {
        assert.ok(
          accepts(name, true) && accepts(name, false) && !accepts(name, 'yes'),
          `${name}: config.ts accepts exactly true and false`,
        );
      }
    }
  });

  test('match patterns accept what config.ts accepts and reject what it rejects', () => {
    const types = schemaTypes();
    const samples: Record<string, { good: string[]; bad: string[] }> = {
      server_ip: { good: ['192.168.1.10', '10.0.0.1'], bad: ['192.168.1', 'ha.local', '300.1.1.1'] },
      mqtt_url: { good: ['mqtt://core-mosquitto:1883', 'mqtts://broker.example:8883'], bad: ['http://x', 'core-mosquitto'] },
      discovery_prefix: { good: ['homeassistant', 'ha/discovery'], bad: ['/leading', 'trailing/', 'has space', 'a+b'] },
      base_topic: { good: ['a9_v720', 'cams/a9-v720'], bad: ['#', '/x'] },
    };
    for (const [name, type] of types) {
      if (type.base !== 'match') continue;
      const sample = samples[name];
      assert.ok(sample, `add samples for match option "${name}" to this test`);
      for (const value of sample.good) {
        assert.equal(checkOptionValue(type, value), undefined, `${name}: schema rejects ${value}`);
        assert.doesNotThrow(() => validateOptions({ [name]: value }), `${name}: config.ts rejects ${value}`);
      }
      for (const value of sample.bad) {
        assert.notEqual(checkOptionValue(type, value), undefined, `${name}: schema accepts ${value}`);
        assert.throws(() => validateOptions({ [name]: value }), `${name}: config.ts accepts ${value}`);
      }
    }
  });
});

describe('apparmor.txt', () => {
  const file = path.join(ADDON_DIR, 'apparmor.txt');
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const rules = (profile: string): string[] => {
    // The lines of one (sub)profile's body, without nested profiles.
    const lines = text.split('\n').map((line) => line.trim());
    const start = lines.findIndex((line) => line.startsWith(`profile ${profile} `));
    assert.ok(start >= 0, `profile ${profile} missing`);
    const body: string[] = [];
    let depth = 0;
    for (const line of lines.slice(start + 1)) {
      if (line.endsWith('{')) depth++;
      else if (line === '}') {
        if (depth === 0) break;
        depth--;
      } else if (depth === 0) body.push(line);
    }
    return body;
  };

  test('is well formed: one top-level profile named after the slug, balanced, every rule ends with ","', () => {
    assert.ok(text.startsWith('#include <tunables/global>'), 'starts with #include <tunables/global>');
    assert.deepEqual(apparmorProblems(text), []);
    const name = text
      .split('\n')
      .map((line) => RE_APPARMOR_PROFILE.exec(line)?.[1])
      .find(Boolean);
    assert.equal(name, manifest['slug']);
    assert.ok(!/complain/.test(text), 'enforced, not complain mode');
    assert.ok(!('apparmor' in manifest), 'config.yaml must not disable AppArmor');
  });

  test('the checker catches a missing comma and an unbalanced brace', () => {
    assert.notDeepEqual(apparmorProblems(text.replace('/data/** rw,', '/data/** rw')), []);
    assert.notDeepEqual(apparmorProblems(text.replace(/\}\s*$/, '')), []);
  });

  test('grants the camera server what it needs and no more', () => {
    const parent = rules('a9_v720');
    assert.ok(parent.includes('/usr/bin/node cx -> camera_server,'), 'node runs in its own profile');
    assert.ok(parent.includes('/data/** rw,'), 'the add-on may read and write /data');
    const server = rules('camera_server');
    for (const rule of [
      'network inet stream,',
      'network inet6 stream,',
      'network inet dgram,',
      'network inet6 dgram,',
      '/app/** r,',
      '/data/** rwk,',
      '@{PROC}/@{pid}/stat r,',
      '@{PROC}/meminfo r,',
    ]) {
      assert.ok(server.includes(rule), `camera_server lacks "${rule}"`);
    }
    assert.ok(!server.some((rule) => /^\/app\/\*\* .*w/.test(rule)), '/app stays read only');
    assert.ok(!server.some((rule) => /^(capability|network raw|ptrace|mount|file,)/.test(rule)), `no broad rights: ${server.join(' ')}`);
  });

  test('apparmor_parser accepts it (when installed)', (t) => {
    const probe = spawnSync('apparmor_parser', ['--version'], { encoding: 'utf8' });
    if (probe.error) {
      t.skip('apparmor_parser not installed (apt-get install apparmor; scripts/setup.sh --test does)');
      return;
    }
    const result = spawnSync('apparmor_parser', ['--skip-kernel-load', '--skip-cache', '--quiet', file], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
  });
});

describe('translations', () => {
  const dir = path.join(ADDON_DIR, 'translations');
  const files = existsSync(dir) ? readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)) : [];

  test('English exists', () => {
    assert.ok(files.includes('en.yaml'), 'translations/en.yaml is required');
  });

  for (const file of files) {
    test(`${file}: configuration keys == schema keys, network keys == port keys`, () => {
      const data = readYaml(path.join(dir, file));
      assert.ok(isRecord(data), `${file} must be a mapping`);
      const configuration = data['configuration'];
      const network = data['network'];
      assert.ok(isRecord(configuration), `${file}: configuration missing`);
      assert.ok(isRecord(network), `${file}: network missing`);
      assert.deepEqual(Object.keys(configuration).sort(), Object.keys(schema).sort());
      assert.deepEqual(Object.keys(network).sort(), Object.keys(ports).sort());
      for (const [key, entry] of Object.entries(configuration)) {
        assert.ok(isRecord(entry), `${file}: configuration.${key} must be a mapping`);
        assert.equal(typeof entry['name'], 'string', `${file}: configuration.${key}.name`);
        assert.ok((entry['name'] as string).length > 0, `${file}: configuration.${key}.name is empty`);
        assert.equal(typeof entry['description'], 'string', `${file}: configuration.${key}.description`);
      }
      for (const [key, text] of Object.entries(network)) assert.equal(typeof text, 'string', `${file}: network.${key}`);
    });
  }
});

describe('repository layout', () => {
  test('repository.yaml has a name (and url, maintainer)', () => {
    const repo = readYaml(path.join(REPO_ROOT, 'repository.yaml'));
    assert.ok(isRecord(repo), 'repository.yaml must be a mapping');
    assert.equal(typeof repo['name'], 'string');
    assert.ok((repo['name'] as string).length > 0, 'repository.yaml name is empty');
    assert.equal(typeof repo['url'], 'string');
    assert.equal(typeof repo['maintainer'], 'string');
  });

  test('no other config.yaml/yml/json in the repository (the Supervisor reads every one as an add-on)', () => {
    let files: string[];
    try {
      // Tracked plus untracked-but-not-ignored files: what a commit would put in the repository.
      files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: REPO_ROOT, encoding: 'utf8' })
        .split('\0')
        .filter(Boolean);
    } catch {
      files = walk(REPO_ROOT);
    }
    const manifests = files.filter((file) => {
      const parts = file.split('/');
      // The Supervisor skips paths with a component starting with "." and rootfs folders.
      if (parts.some((p) => p.startsWith('.') || p === 'rootfs' || p === 'node_modules')) return false;
      return /^config\.(ya?ml|json)$/.test(parts[parts.length - 1] ?? '');
    });
    assert.deepEqual(
      manifests.filter((f) => existsSync(path.join(REPO_ROOT, f))),
      ['a9-v720/config.yaml'],
    );
  });

  test('the add-on folder has its store files', () => {
    for (const file of ['DOCS.md', 'README.md', 'CHANGELOG.md', 'icon.png', 'logo.png', 'Dockerfile', 'run.sh']) {
      assert.ok(existsSync(path.join(ADDON_DIR, file)), `${file} is missing`);
    }
    const png = (file: string): { width: number; height: number } => {
      const data = readFileSync(path.join(ADDON_DIR, file));
      assert.equal(data.subarray(1, 4).toString('latin1'), 'PNG', `${file} is not a PNG`);
      return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
    };
    assert.deepEqual(png('icon.png'), { width: 128, height: 128 });
    const logo = png('logo.png');
    assert.ok(
      logo.width >= 200 && logo.width <= 500 && logo.height >= 80 && logo.height <= 200,
      `logo.png is ${logo.width}×${logo.height}`,
    );
  });

  test('CHANGELOG mentions the current version', () => {
    const changelog = readFileSync(path.join(ADDON_DIR, 'CHANGELOG.md'), 'utf8');
    assert.ok(changelog.includes(String(manifest['version'])), 'CHANGELOG.md has no entry for this version');
  });
});

function walk(root: string, rel = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(path.join(root, rel), { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules' || entry.name === 'dist') continue;
    const child = rel ? `${rel}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...walk(root, child));
    else out.push(child);
  }
  return out;
}
