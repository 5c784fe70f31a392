/**
 * Static checks of the dashboard files: they must work under a Home Assistant ingress prefix
 * (relative URLs only) and without internet access (no CDN, no external fonts).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ADDON_DIR } from './supervisor-rules.js';
import { SETTING_SPECS } from '../../src/protocol/settings.js';

const PUBLIC = path.join(ADDON_DIR, 'src', 'web', 'public');
const read = (file: string): string => readFileSync(path.join(PUBLIC, file), 'utf8');
const html = read('index.html');
/** The dashboard's JS modules (app.js imports the others by relative URL). */
const modules = readdirSync(PUBLIC).filter((file) => file.endsWith('.js'));
const js = modules.map(read).join('\n');
const css = read('app.css');

describe('dashboard static files', () => {
  test('index.html loads app.js and app.css by relative URL; modules import each other relatively', () => {
    assert.match(html, /<script[^>]+src="\.\/app\.js"/);
    assert.match(html, /<link[^>]+href="\.\/app\.css"/);
    for (const file of modules) {
      for (const [, target] of read(file).matchAll(/^import .* from '([^']+)';$/gm)) {
        assert.match(target!, /^\.\/[a-z-]+\.js$/, `${file}: import ${target}`);
        assert.ok(modules.includes(target!.slice(2)), `${file}: ${target} exists`);
      }
    }
  });

  test('no absolute-path or external URLs', () => {
    for (const [file, text] of [
      ['index.html', html],
      ['app.css', css],
    ] as const) {
      assert.doesNotMatch(text, /(?:src|href|action)\s*=\s*["']\//, `${file}: absolute path URL breaks under ingress`);
      assert.doesNotMatch(text, /(?:src|href)\s*=\s*["']https?:/, `${file}: external resource`);
      assert.doesNotMatch(text, /url\(\s*["']?(?:\/|https?:)/, `${file}: absolute url() in CSS`);
      assert.doesNotMatch(text, /@import|fonts\.googleapis|cdn\./i, `${file}: external stylesheet or CDN`);
    }
    // In JS every fetch/EventSource/src goes through "./api/…".
    assert.doesNotMatch(js, /["'`]\/api\//, 'dashboard JS: absolute /api/ URL');
    // Only the displayed LAN media URL is absolute, built from the page's own host name.
    assert.doesNotMatch(js, /https?:\/\/(?!\$\{host\})/, 'dashboard JS: hard-coded external URL');
    assert.match(js, /`\.\/api\/\$\{path\}`/);
  });

  test('exposes the selectors the browser tests use', () => {
    for (const action of ['snapshot', 'live', 'restart', 'forget']) {
      assert.ok(js.includes(`action: '${action}'`), `data-action="${action}" missing`);
    }
    // Setting controls are built from the settings table: data-action is the row's key with dashes.
    assert.ok(js.includes("row.key.replaceAll('_', '-')"), 'setting controls named after their row');
    const settingKeys = SETTING_SPECS.filter((spec) => spec.platform !== 'button').map((spec) => spec.key);
    for (const key of ['ir_led', 'status_led', 'orientation']) assert.ok(settingKeys.includes(key), `settings row ${key}`);
    for (const action of ['open', 'tile-snapshot', 'copy'])
      assert.ok(js.includes(`action: '${action}'`), `data-action="${action}" missing`);
    for (const field of [
      'status',
      'last-seen',
      'ip',
      'firmware',
      'battery',
      'state',
      'error',
      'name',
      'frame-age',
      'streaming',
      'motion',
    ]) {
      assert.ok(js.includes(`'${field}'`), `data-field="${field}" missing`);
    }
    assert.match(js, /dataset: \{ cameraId: id \}/, 'rows carry data-camera-id');
    assert.match(html, /<dialog id="viewer"[\s\S]*<img[^>]*>[\s\S]*<\/dialog>/);
    assert.match(html, /id="empty"/);
    assert.match(html, /id="tiles"/);
  });

  test('light and dark schemes and a phone layout', () => {
    assert.match(css, /prefers-color-scheme:\s*dark/);
    assert.match(css, /max-width:\s*700px/);
  });
});
