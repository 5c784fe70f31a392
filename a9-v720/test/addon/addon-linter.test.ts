/**
 * config.yaml against the community add-on linter (frenck/action-addon-linter; rules transcribed in
 * addon-linter-rules.ts): no error, no warning. The checker itself is tried on manifests the
 * real linter refuses, so that a transcription that accepts everything fails here.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { linterErrors, linterWarnings } from './addon-linter-rules.js';
import { ADDON_DIR, isRecord, readYaml } from './supervisor-rules.js';

const manifestRaw = readYaml(path.join(ADDON_DIR, 'config.yaml'));
assert.ok(isRecord(manifestRaw), 'config.yaml must be a mapping');
const manifest: Record<string, unknown> = manifestRaw;

describe('config.yaml against frenck/action-addon-linter', () => {
  test('no errors', () => {
    assert.deepEqual(linterErrors(manifest), []);
  });

  test('no warnings', () => {
    assert.deepEqual(linterWarnings(manifest), []);
  });

  test('no watchdog: it is obsolete, the Dockerfile has a HEALTHCHECK instead (image.test.ts)', () => {
    assert.ok(!('watchdog' in manifest), 'config.yaml must not have "watchdog"');
  });
});

describe('the transcribed linter refuses what the real one refuses', () => {
  const refused = (change: Record<string, unknown>, pattern: RegExp): void => {
    const errors = linterErrors({ ...manifest, ...change });
    assert.ok(
      errors.some((error) => pattern.test(error)),
      `${JSON.stringify(change)}: expected an error like ${pattern}, got ${JSON.stringify(errors)}`,
    );
  };

  test('the watchdog, as the Supervisor still accepts it', () => {
    refused({ watchdog: 'tcp://[HOST]:[PORT:6123]' }, /'watchdog', is obsolete\. Use the native Docker HEALTHCHECK directive instead\./);
  });

  test('keys at their default value, unknown keys, missing required keys, wrong types and values', () => {
    refused({ boot: 'auto' }, /'boot' should be removed, it uses a default value/);
    refused({ init: true }, /'init' should be removed/);
    refused({ ingress_port: 8099 }, /'ingress_port' should be removed/);
    refused({ timeout: 10 }, /'timeout' should be removed/);
    refused({ homeassistant_api: false }, /'homeassistant_api' should be removed/);
    refused({ panel_icon: 'mdi:puzzle' }, /'panel_icon' should be removed/);
    refused({ mystery: 1 }, /'mystery' was unexpected/);
    refused({ ingress: 'yes' }, /'ingress': "yes" is not of type boolean/);
    refused({ startup: 'later' }, /'startup': "later" is not one of/);
    refused({ arch: ['amd64', 'sparc'] }, /'arch': "sparc" is not one of/);
    refused({ services: ['mqtt:maybe'] }, /'services': "mqtt:maybe" does not match/);
    refused({ ingress_port: 70000 }, /'ingress_port': 70000 is out of range/);
    refused({ ports: { '80/tcp': 0 } }, /'ports': 80\/tcp → 0 is not a port or null/);
    const { slug: _slug, ...withoutSlug } = manifest;
    assert.ok(linterErrors(withoutSlug).includes("'slug' is a required property"), 'slug is required');
  });

  test("lint.py's own checks", () => {
    refused({ webui: 'http://[HOST]:[PORT:1234]/' }, /'webui' should be removed, Ingress is enabled/);
    refused({ ingress_port: 0 }, /'ingress_port' this does not run on the host network/);
    refused({ codenotary: 'me@example.com' }, /'codenotary' is deprecated/);
    refused({ auto_uart: true }, /'auto_uart' is deprecated/);
    refused({ tmpfs: 'size=10m' }, /'tmpfs' use a deprecated format/);
    refused({ devices: ['/dev/ttyUSB0:/dev/ttyUSB0:rwm'] }, /'devices' uses a deprecated format/);
    refused({ full_access: true, usb: true }, /'full_access', don't add/);
    refused({ backup: 'cold', backup_pre: 'x' }, /'backup_pre' is not valid when using cold backups/);
    refused({ map: ['config', 'homeassistant_config'] }, /both the 'config' and 'homeassistant_config'/);
    assert.ok(linterWarnings({ ...manifest, arch: ['amd64', 'armv7'] }).length > 0, 'a deprecated architecture warns');
  });
});
