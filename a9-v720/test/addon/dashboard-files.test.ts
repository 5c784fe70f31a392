/**
 * Static checks of the dashboard files: they must work under a Home Assistant ingress prefix
 * (relative URLs only) and without internet access (no CDN, no external fonts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ADDON_DIR } from './supervisor-rules.js';

const PUBLIC = path.join(ADDON_DIR, 'src', 'web', 'public');
const read = (file: string): string => readFileSync(path.join(PUBLIC, file), 'utf8');
const html = read('index.html');
const js = read('app.js');
const css = read('app.css');

describe('dashboard static files', () => {
  test('index.html loads app.js and app.css by relative URL', () => {
    assert.match(html, /<script[^>]+src="\.\/app\.js"/);
    assert.match(html, /<link[^>]+href="\.\/app\.css"/);
  });

  test('no absolute-path or external URLs', () => {
    for (const [file, text] of [['index.html', html], ['app.css', css]] as const) {
      assert.doesNotMatch(text, /(?:src|href|action)\s*=\s*["']\//, `${file}: absolute path URL breaks under ingress`);
      assert.doesNotMatch(text, /(?:src|href)\s*=\s*["']https?:/, `${file}: external resource`);
      assert.doesNotMatch(text, /url\(\s*["']?(?:\/|https?:)/, `${file}: absolute url() in CSS`);
      assert.doesNotMatch(text, /@import|fonts\.googleapis|cdn\./i, `${file}: external stylesheet or CDN`);
    }
    // In JS every fetch/EventSource/src goes through "./api/…".
    assert.doesNotMatch(js, /["'`]\/api\//, 'app.js: absolute /api/ URL');
    // Only the displayed LAN media URL is absolute, built from the page's own host name.
    assert.doesNotMatch(js, /https?:\/\/(?!\$\{host\})/, 'app.js: hard-coded external URL');
    assert.match(js, /`\.\/api\/\$\{path\}`/);
  });

  test('exposes the selectors the browser tests use', () => {
    for (const action of ['snapshot', 'live', 'ir-led', 'status-led', 'restart', 'forget', 'orientation']) {
      assert.ok(js.includes(`action: '${action}'`), `data-action="${action}" missing`);
    }
    for (const field of ['status', 'last-seen', 'ip', 'firmware', 'battery', 'state', 'error']) {
      assert.ok(js.includes(`'${field}'`), `data-field="${field}" missing`);
    }
    assert.match(js, /dataset: \{ cameraId: id \}/, 'rows carry data-camera-id');
    assert.match(html, /<dialog id="viewer"[\s\S]*<img[^>]*>[\s\S]*<\/dialog>/);
    assert.match(html, /id="empty"/);
  });

  test('light and dark schemes and a phone layout', () => {
    assert.match(css, /prefers-color-scheme:\s*dark/);
    assert.match(css, /max-width:\s*700px/);
  });
});
