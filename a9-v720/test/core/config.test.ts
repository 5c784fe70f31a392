import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig, OPTION_NAMES, OPTION_SPECS, validateOptions, type OptionKind } from '../../src/config.js';
import { NO_DNS } from '../support/no-dns.js';

const dir = mkdtempSync(path.join(tmpdir(), 'a9-config-'));
const file = (name: string, text: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
};
const NO_ADDON = path.join(dir, 'no-such-options.json');

test('defaults outside the add-on work without root', () => {
  const { config, source } = loadConfig([], NO_ADDON);
  assert.equal(source, 'defaults');
  assert.equal(config.httpPort, 8080);
  assert.equal(config.tcpPort, 6123);
  assert.equal(config.webPort, 1234);
  assert.equal(config.offlineAfterSeconds, 20);
  assert.equal(config.discoveryPrefix, 'homeassistant');
  assert.equal(config.baseTopic, 'a9_v720');
  assert.equal(config.lanMedia, true);
  assert.equal(config.inAddon, false);
});

test('inside the add-on /data/options.json is read and http_port defaults to 80', () => {
  const options = file(
    'options.json',
    JSON.stringify({ log_level: 'debug', mqtt_url: 'mqtt://core-mosquitto:1883', server_ip: '192.168.1.5' }),
  );
  const { config } = loadConfig([], options);
  assert.equal(config.inAddon, true);
  assert.equal(config.httpPort, 80);
  assert.equal(config.logLevel, 'debug');
  assert.equal(config.mqtt.url, 'mqtt://core-mosquitto:1883');
  assert.equal(config.serverIp, '192.168.1.5');
});

test('inside the add-on the ports are the fixed container ports; port options are ignored with a warning', () => {
  const options = file('options-ports.json', JSON.stringify({ tcp_port: 7000, web_port: 8123 }));
  const { config, warnings } = loadConfig([], options);
  assert.deepEqual([config.httpPort, config.tcpPort, config.webPort], [80, 6123, 1234]);
  assert.equal(warnings.length, 2);
  assert.match(warnings[0] ?? '', /option "tcp_port" is ignored in the add-on: change the host port in the add-on's Network settings/);
});

/** A valid value of `kind` that differs from `fallback` (so a row that kept its default shows). */
function sampleOf(kind: OptionKind, fallback: unknown, index: number): unknown {
  switch (kind.type) {
    case 'port':
      return 20000 + index;
    case 'int':
      return fallback === kind.min ? kind.max : kind.min;
    case 'bool':
      return fallback !== true;
    case 'enum':
      return kind.choices.find((choice) => choice !== fallback);
    case 'string':
      return { any: `sample-${index}`, ipv4: `10.0.0.${index}`, 'broker-url': `mqtt://broker-${index}:1883`, topic: `sample/t${index}` }[
        kind.format
      ];
  }
}

test("every option lands at its row's Config field, in its group (loadConfig derives the mapping from the table)", () => {
  const samples = Object.fromEntries(
    OPTION_NAMES.map((name, index) => [name, sampleOf(OPTION_SPECS[name].kind, OPTION_SPECS[name].default, index)]),
  );
  const { config } = loadConfig(['--options', file('every-option.json', JSON.stringify(samples))], NO_ADDON);
  const fields = config as unknown as Record<string, unknown> & { mqtt: Record<string, unknown> };
  for (const name of OPTION_NAMES) {
    const { group, field } = OPTION_SPECS[name];
    assert.deepEqual(
      group === 'mqtt' ? fields.mqtt[field] : fields[field],
      samples[name],
      `${name} → ${group === 'mqtt' ? 'mqtt.' : ''}${field}`,
    );
  }
  assert.deepEqual(
    Object.keys(fields.mqtt).sort(),
    OPTION_NAMES.filter((name) => OPTION_SPECS[name].group === 'mqtt')
      .map((name) => OPTION_SPECS[name].field)
      .sort(),
    'config.mqtt holds exactly the mqtt rows',
  );
});

test('--demo N and --demo-profiles pick the simulated cameras and how they misbehave; unknown profiles are refused', () => {
  const { config } = loadConfig(['--demo', '4', '--demo-profiles', 'ideal,pcm-202312111512'], NO_ADDON);
  assert.equal(config.demoCameras, 4);
  assert.deepEqual(config.demoProfiles, ['ideal', 'pcm-202312111512']);
  assert.equal(loadConfig(['--demo'], NO_ADDON).config.demoProfiles, undefined, 'default: the demo mix');
  assert.throws(
    () => loadConfig(['--demo-profiles', 'ideal,nope'], NO_ADDON),
    (e) => e instanceof ConfigError && /unknown profile "nope".*lossy-home-wifi/.test(e.message),
  );
});

test('--options reads YAML with the same keys; unknown keys are warnings', () => {
  const yaml = file('opts.yaml', 'http_port: 8081\nsnapshot_interval: 30\nmystery: 1\n');
  const { config, warnings } = loadConfig(['--options', yaml, '--data-dir', dir], NO_ADDON);
  assert.equal(config.httpPort, 8081);
  assert.equal(config.snapshotIntervalSeconds, 30);
  assert.equal(config.dataDir, dir);
  assert.deepEqual(warnings, [`unknown option "mystery" in ${yaml} is ignored`]);
});

test('--options reads the JSON the Supervisor writes the same way (an empty or null file is all defaults)', () => {
  const json = file('opts.json', JSON.stringify({ http_port: 8082, snapshot_interval: 45, mystery: 1 }));
  const { config, warnings } = loadConfig(['--options', json, '--data-dir', dir], NO_ADDON);
  assert.equal(config.httpPort, 8082);
  assert.equal(config.snapshotIntervalSeconds, 45);
  assert.deepEqual(warnings, [`unknown option "mystery" in ${json} is ignored`]);
  const defaults = loadConfig(['--data-dir', dir], NO_ADDON).config;
  for (const text of ['null', '', '# only a comment\n']) {
    assert.deepEqual(
      loadConfig(['--options', file('empty.json', text), '--data-dir', dir], NO_ADDON).config,
      defaults,
      JSON.stringify(text),
    );
  }
  assert.throws(() => loadConfig(['--options', file('list.json', '[1, 2]')], NO_ADDON), /must be a mapping/);
  assert.throws(() => loadConfig(['--options', file('cut.json', '{"web_port": [1')], NO_ADDON), /not valid YAML\/JSON/);
});

test('bad options fail with one clear error naming the key', () => {
  const cases: Array<[string, RegExp]> = [
    ['http_port: 70000', /option "http_port": expected a port number/],
    ['server_ip: myhost', /option "server_ip": expected an IPv4 address/],
    ['offline_after: 1', /option "offline_after": expected a whole number from 5 to 3600/],
    ['mqtt_url: http://x', /option "mqtt_url": expected a broker URL/],
    ['log_level: loud', /option "log_level": expected trace, debug/],
    ['lan_media: "yes"', /option "lan_media": expected true or false/],
    ['base_topic: "a/#"', /option "base_topic"/],
    ['tcp_port: 1234', /must differ/],
    ['- just\n- a list', /must be a mapping/],
    ['key: [unclosed', /not valid YAML\/JSON/],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => loadConfig(['--options', file('bad.yaml', text)], NO_ADDON),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError, text);
        assert.match((error as Error).message, message, text);
        return true;
      },
    );
  }
  assert.throws(() => loadConfig(['--bogus'], NO_ADDON), /unknown argument "--bogus"/);
});

test('each kind of option: the exact error line for a wrong type or value, and the value itself at the limits', () => {
  const message = (options: Record<string, unknown>): string => {
    try {
      validateOptions(options);
    } catch (error) {
      assert.ok(error instanceof ConfigError, `a ConfigError, got ${String(error)}`);
      return error.message;
    }
    return 'accepted';
  };
  assert.equal(message({ tcp_port: 0 }), 'option "tcp_port": expected a port number 1–65535, got 0');
  assert.equal(message({ tcp_port: 6123.5 }), 'option "tcp_port": expected a port number 1–65535, got 6123.5');
  assert.equal(message({ tcp_port: '6123' }), 'option "tcp_port": expected a port number 1–65535, got "6123"');
  assert.equal(message({ max_cameras: 1001 }), 'option "max_cameras": expected a whole number from 1 to 1000, got 1001');
  assert.equal(message({ max_cameras: true }), 'option "max_cameras": expected a whole number from 1 to 1000, got true');
  assert.equal(message({ mqtt_username: 5 }), 'option "mqtt_username": expected a string, got 5');
  assert.equal(message({ log_format: 'xml' }), 'option "log_format": expected human or json, got "xml"');
  assert.equal(message({ log_level: ['info'] }), 'option "log_level": expected trace, debug, info, warn, error, fatal, got ["info"]');
  assert.equal(
    message({ discovery_prefix: 'ha/' }),
    'option "discovery_prefix": expected an MQTT topic prefix of letters, digits, "_", "-" and "/", got "ha/"',
  );
  assert.equal(message({ server_ip: 192 }), 'option "server_ip": expected an IPv4 address such as 192.168.1.10, got 192');
  assert.equal(message({ lan_media: 1 }), 'option "lan_media": expected true or false, got 1');

  const { options } = validateOptions({ tcp_port: 65535, max_cameras: 1000, snapshot_interval: 0, log_format: 'json', server_ip: '' });
  assert.equal(options.tcp_port, 65535);
  assert.equal(options.max_cameras, 1000);
  assert.equal(options.snapshot_interval, 0);
  assert.equal(options.log_format, 'json');
  assert.equal(options.server_ip, undefined, '"" is an absent optional option');
  assert.equal(validateOptions({ offline_after: null }).options.offline_after, 20, 'null is the default');
});

test('the process exits non-zero with the error on stderr for bad options and busy ports', async () => {
  const bad = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts', '--options', file('bad2.yaml', 'web_port: -1')], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /configuration error: option "web_port"/);

  const listenOn = async (): Promise<net.Server> => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return server;
  };
  const portOf = (server: net.Server) => (server.address() as net.AddressInfo).port;
  const blocker = await listenOn();
  // Two more ports that are free right now, for the listeners opened before the web port.
  const spares = [await listenOn(), await listenOn()];
  const [httpPort, tcpPort] = spares.map(portOf);
  await Promise.all(spares.map((s) => new Promise((resolve) => s.close(resolve))));
  const busyPort = portOf(blocker);
  const options = file('busy.yaml', `web_port: ${busyPort}\nhttp_port: ${httpPort}\ntcp_port: ${tcpPort}\n`);
  const busy = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'src/main.ts', '--options', options, '--data-dir', dir, '--listen', '127.0.0.1', '--dns-server', NO_DNS],
    {
      encoding: 'utf8',
      timeout: 60_000,
    },
  );
  blocker.close();
  assert.equal(busy.status, 1);
  // The human log line (the default format) names the option in plain quotes.
  assert.match(
    busy.stdout,
    new RegExp(`FATAL \\[main\\] web \\(dashboard\\) port ${busyPort} is already in use.*change the option "web_port"`),
  );
});

test('--dns-server: the setup check asks these DNS servers (repeatable); anything but an IP with an optional port is refused', () => {
  const missing = path.join(tmpdir(), 'a9-no-such-options.json');
  const { config } = loadConfig(['--dns-server', '127.0.0.1:5353', '--dns-server', '[::1]:53', '--dns-server', '10.0.0.1'], missing);
  assert.deepEqual(config.dnsServers, ['127.0.0.1:5353', '[::1]:53', '10.0.0.1']);
  assert.equal('dnsServers' in loadConfig([], missing).config, false, 'absent: the system resolver');
  // The demo sends nothing off this machine: its setup check asks a loopback port unless told otherwise.
  assert.deepEqual(loadConfig(['--demo', '2'], missing).config.dnsServers, ['127.0.0.1:9']);
  assert.deepEqual(loadConfig(['--demo', '2', '--dns-server', '127.0.0.1:5353'], missing).config.dnsServers, ['127.0.0.1:5353']);
  for (const bad of ['dns.example', '127.0.0.1:', '127.0.0.1:123456', '--demo']) {
    assert.throws(() => loadConfig(['--dns-server', bad], missing), ConfigError, bad);
  }
  assert.throws(() => loadConfig(['--dns-server'], missing), /--dns-server needs a value/);
});
