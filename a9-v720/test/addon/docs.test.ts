/**
 * The user documentation must work when followed: every YAML snippet parses and uses only keys the
 * target program accepts (go2rtc's config schema, Frigate's config models, Home Assistant's
 * automation syntax), the go2rtc/Frigate recipes select the tracks they claim, the automation does
 * not flap, every link to a file of the repository resolves, every option is documented, every API
 * route named exists, and the add-on has one name. The media recipes are run for real in
 * recipes.test.ts.
 *
 * Facts taken from other projects' sources, with where they were read:
 * - go2rtc (github.com/AlexxIT/go2rtc, commit dc1685e9cf7a8c349181f20a1b4a44825ed394c5):
 *   top-level config keys from www/schema.json (additionalProperties: false); the RTSP server's
 *   default query `video&audio` (internal/rtsp/rtsp.go) and codec selection by query
 *   (pkg/core/media.go ParseQuery: `copy` or empty = any codec; internal/streams/add_consumer.go:
 *   the first source with a matching track wins).
 * - Frigate (github.com/blakeblackshear/frigate, commit e3fa70189324e5eb3b1dba756c153f6696f457de):
 *   models with extra="forbid" (frigate/config/base.py) in frigate/config/config.py,
 *   camera/camera.py, camera/ffmpeg.py, camera/detect.py, camera/record.py; presets in
 *   frigate/ffmpeg_presets.py.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { CameraRecord } from '../../src/camera/registry.js';
import { ADDON_PORTS } from '../../src/config.js';
import { buildCameraDiscovery } from '../../src/ha/discovery.js';
import { HaTopics } from '../../src/ha/topics.js';
import { anchorsOf, codeBlocks, docsText, filesUnder, headingAnchor, linkTargets, referenceText, SAMPLE } from './docs-text.js';
import { ADDON_DIR, isRecord, readYaml, REPO_ROOT } from './supervisor-rules.js';

const yamlBlocks = codeBlocks(docsText)
  .filter((block) => block.lang === 'yaml')
  .map((block) => block.text);
const parsed = yamlBlocks.map((text) => parseYaml(text) as unknown);
const manifest = readYaml(path.join(ADDON_DIR, 'config.yaml'));
assert.ok(isRecord(manifest), 'config.yaml is a mapping');
const repository = readYaml(path.join(REPO_ROOT, 'repository.yaml'));
assert.ok(isRecord(repository) && typeof repository['url'] === 'string', 'repository.yaml has a url');
const REPO_URL = repository['url'];
const addonReadme = readFileSync(path.join(ADDON_DIR, 'README.md'), 'utf8');
const rootReadme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');

// --- go2rtc ----------------------------------------------------------------------------------

/** go2rtc's top-level config keys (www/schema.json `properties`). */
const GO2RTC_KEYS = [
  'api',
  'app',
  'echo',
  'env',
  'exec',
  'ffmpeg',
  'hass',
  'homekit',
  'log',
  'ngrok',
  'pinggy',
  'preload',
  'publish',
  'rtmp',
  'rtsp',
  'srtp',
  'streams',
  'webrtc',
  'webtorrent',
  'wyoming',
  'xiaomi',
];

/** The go2rtc config of a snippet: the snippet itself, or Frigate's `go2rtc:` section. */
const go2rtcConfigOf = (block: unknown): Record<string, unknown> | undefined => {
  if (!isRecord(block)) return undefined;
  if (isRecord(block['go2rtc'])) return block['go2rtc'];
  if ('streams' in block) return block;
  return undefined;
};
const go2rtcConfigs = parsed.map(go2rtcConfigOf).filter((config): config is Record<string, unknown> => config !== undefined);

/** A LAN media URL as the add-on serves it, with the media key. */
const MEDIA_URL = new RegExp(
  `^http://${SAMPLE.host.replace(/\./g, '\\.')}:${ADDON_PORTS.web}/api/cameras/(${SAMPLE.cameraId})/(stream|audio|snapshot)\\?key=${SAMPLE.key}$`,
);

/** The codec each kind of source gives go2rtc (pkg/mpjpeg → JPEG, pkg/wav → PCMA for A-law, ffmpeg → its output). */
function codecOf(source: string): { video?: string; audio?: string } {
  const media = MEDIA_URL.exec(source);
  if (media?.[2] === 'stream') return { video: 'JPEG' };
  if (media?.[2] === 'audio') return { audio: 'PCMA' };
  const ffmpeg = /^ffmpeg:[^#]+#(video|audio)=(h264|aac|pcma)$/.exec(source);
  if (ffmpeg) return { [ffmpeg[1] ?? '']: { h264: 'H264', aac: 'AAC', pcma: 'PCMA' }[ffmpeg[2] ?? ''] };
  throw new Error(`source of unknown kind: ${source}`);
}

/**
 * The codecs go2rtc's RTSP server hands a client that asks with `query` (none: the default query
 * `video&audio`): per requested kind, the first source whose track matches the requested codec
 * (`copy` or empty: any).
 */
function restreamPick(sources: readonly string[], query: string | undefined): { video?: string; audio?: string } {
  const params = new URLSearchParams(query ?? 'video&audio');
  const picked: { video?: string; audio?: string } = {};
  for (const kind of ['video', 'audio'] as const) {
    for (const wanted of params.getAll(kind)) {
      const name = wanted.toUpperCase();
      const any = name === '' || name === 'COPY';
      const codec = sources
        .map((source) => codecOf(source)[kind])
        .find((c) => c !== undefined && (any || c === (name === 'MJPEG' ? 'JPEG' : name)));
      if (codec) picked[kind] = codec;
    }
  }
  return picked;
}

// --- Frigate ---------------------------------------------------------------------------------

const FRIGATE = {
  top: [
    'version',
    'safe_mode',
    'environment_vars',
    'logger',
    'auth',
    'database',
    'go2rtc',
    'mqtt',
    'notifications',
    'networking',
    'proxy',
    'telemetry',
    'tls',
    'ui',
    'detectors',
    'model',
    'genai',
    'cameras',
    'audio',
    'birdseye',
    'detect',
    'ffmpeg',
    'live',
    'motion',
    'objects',
    'record',
    'review',
    'snapshots',
    'timestamp_style',
    'audio_transcription',
    'classification',
    'semantic_search',
    'face_recognition',
    'lpr',
    'camera_groups',
    'profiles',
    'active_profile',
  ],
  camera: [
    'name',
    'friendly_name',
    'enabled',
    'audio',
    'audio_transcription',
    'birdseye',
    'detect',
    'face_recognition',
    'ffmpeg',
    'live',
    'lpr',
    'motion',
    'objects',
    'record',
    'review',
    'semantic_search',
    'snapshots',
    'timestamp_style',
    'best_image_timeout',
    'mqtt',
    'notifications',
    'onvif',
    'type',
    'ui',
    'webui_url',
    'profiles',
    'zones',
    'enabled_in_config',
  ],
  ffmpeg: ['path', 'global_args', 'hwaccel_args', 'input_args', 'output_args', 'retry_interval', 'apple_compatibility', 'gpu', 'inputs'],
  input: ['path', 'roles', 'global_args', 'hwaccel_args', 'input_args'],
  roles: ['audio', 'record', 'detect'],
  outputArgs: ['detect', 'record'],
  detect: ['enabled', 'height', 'width', 'fps', 'min_initialized', 'max_disappeared', 'stationary', 'annotation_offset'],
  record: ['enabled', 'expire_interval', 'continuous', 'motion', 'detections', 'alerts', 'export', 'preview', 'enabled_in_config'],
  inputPresets: [
    'preset-http-jpeg-generic',
    'preset-http-mjpeg-generic',
    'preset-http-reolink',
    'preset-rtmp-generic',
    'preset-rtsp-generic',
    'preset-rtsp-restream',
    'preset-rtsp-restream-low-latency',
    'preset-rtsp-udp',
    'preset-rtsp-blue-iris',
  ],
  recordPresets: [
    'preset-record-generic',
    'preset-record-generic-audio-aac',
    'preset-record-generic-audio-copy',
    'preset-record-mjpeg',
    'preset-record-jpeg',
    'preset-record-ubiquiti',
  ],
} as const;

/** Keys of a mapping that the model does not know (Frigate refuses them: extra="forbid"). */
function unknownKeys(value: unknown, allowed: readonly string[]): string[] {
  return isRecord(value) ? Object.keys(value).filter((key) => !allowed.includes(key)) : [];
}

// --- Home Assistant automations ---------------------------------------------------------------

/** `HH:MM:SS` → seconds. */
function durationSeconds(text: unknown): number {
  const match = /^(\d+):(\d{2}):(\d{2})$/.exec(String(text));
  assert.ok(match, `a duration HH:MM:SS, got ${String(text)}`);
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
}

/** The seconds of a `timedelta(minutes=…, seconds=…)` in a template. */
function timedeltaSeconds(template: string): number | undefined {
  const call = /timedelta\(([^)]*)\)/.exec(template)?.[1];
  if (call === undefined) return undefined;
  let seconds = 0;
  for (const [, unit, value] of call.matchAll(/(hours|minutes|seconds)\s*=\s*(\d+)/g)) {
    seconds += Number(value) * { hours: 3600, minutes: 60, seconds: 1 }[unit as 'hours' | 'minutes' | 'seconds'];
  }
  return seconds;
}

// --- API routes ------------------------------------------------------------------------------

/** Every route the add-on's web server registers: `METHOD /path` from src/web/*.ts. */
function registeredRoutes(): Set<string> {
  const dir = path.join(ADDON_DIR, 'src', 'web');
  const routes = new Set<string>();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    for (const [, method, route] of text.matchAll(/router\.(get|put|post|delete|patch)\(\s*'(\/api\/[^']*)'/g)) {
      routes.add(`${(method ?? '').toUpperCase()} ${route}`);
    }
  }
  return routes;
}

/** Home Assistant Core's own routes the pages name, not the add-on's: the camera proxy (motion notification), the config-entry flow the add-on calls. */
const HA_CORE_ROUTES = [/^\/api\/camera_proxy\//, /^\/api\/config\/config_entries\//];

/** `/api/cameras/0800c00128F8/stream?key=…` or `/api/cameras/<id>/name` → `/api/cameras/:id/…`. */
function routePattern(mention: string): string {
  return mention
    .replace(/[?#].*$/, '')
    .replace(/[.,;:)]+$/, '')
    .replace(/\/api\/cameras\/(?:<id>|:id|[A-Za-z0-9]{12})(?=\/|$)/, '/api/cameras/:id');
}

// --- The tests -------------------------------------------------------------------------------

describe('DOCS.md snippets', () => {
  it('every YAML snippet parses', () => {
    assert.ok(yamlBlocks.length >= 5, `found ${yamlBlocks.length} YAML snippets`);
    yamlBlocks.forEach((text, i) => assert.doesNotThrow(() => parseYaml(text), `snippet ${i + 1}:\n${text}`));
  });

  it("go2rtc: only keys of go2rtc's schema; each stream is one camera's MJPEG URL, its audio (direct, or as A-law through ffmpeg) and ffmpeg transcodes of itself", () => {
    assert.ok(go2rtcConfigs.length >= 3, `the go2rtc, the PCM and the Frigate recipe, got ${go2rtcConfigs.length}`);
    for (const config of go2rtcConfigs) {
      assert.deepEqual(unknownKeys(config, GO2RTC_KEYS), [], 'go2rtc config keys');
      assert.ok(isRecord(config['streams']), 'streams: a mapping');
      for (const [name, sources] of Object.entries(config['streams'])) {
        assert.ok(Array.isArray(sources) && sources.every((s) => typeof s === 'string'), `${name}: a list of source strings`);
        const list: string[] = sources;
        const urls = list.filter((s) => s.startsWith('http'));
        assert.equal(urls.filter((url) => MEDIA_URL.exec(url)?.[2] === 'stream').length, 1, `${name}: one MJPEG URL of the add-on`);
        for (const url of urls) assert.match(url, MEDIA_URL, `${name}: an add-on media URL with the key`);
        const audio = list.filter((s) => /\/audio\?/.test(s));
        assert.equal(audio.length, 1, `${name}: the audio URL once, directly or through ffmpeg: ${audio.join(', ')}`);
        for (const source of list.filter((s) => !s.startsWith('http'))) {
          const ok =
            source === `ffmpeg:${name}#video=h264` ||
            source === `ffmpeg:${name}#audio=aac` ||
            (source.endsWith('#audio=pcma') && MEDIA_URL.exec(source.slice('ffmpeg:'.length, -'#audio=pcma'.length))?.[2] === 'audio');
          assert.ok(ok, `${name}: unexpected source ${source}`);
        }
        assert.ok(list.includes(`ffmpeg:${name}#video=h264`), `${name}: H.264 for WebRTC, MSE, HLS, Frigate and HA's stream component`);
      }
    }
  });

  it('go2rtc: every restream URL named asks for the H.264 track (the default query gives the first track: the MJPEG)', () => {
    const [basic] = go2rtcConfigs;
    const streams = isRecord(basic?.['streams']) ? basic['streams'] : {};
    assert.deepEqual(restreamPick(streams['garden'] as string[], undefined), { video: 'JPEG', audio: 'PCMA' }, "the default query's pick");
    const mentions = [...docsText.matchAll(/rtsp:\/\/[^\s`]+:8554\/([A-Za-z0-9_]+)(\?[^\s`]*)?/g)];
    assert.ok(mentions.length >= 3, `restream URLs in DOCS.md: ${mentions.map((m) => m[0]).join(', ')}`);
    for (const [url, , query] of mentions) {
      const params = new URLSearchParams(query ?? '');
      assert.deepEqual(params.getAll('video'), ['h264'], `${url}: asks for the H.264 track`);
      assert.ok(
        params.getAll('audio').every((a) => a === 'aac'),
        `${url}: audio only as AAC`,
      );
    }
  });

  it("Frigate: only keys and presets of Frigate's models; the input is go2rtc's restream giving H.264 (and AAC when recorded with audio); detect and record on", () => {
    const frigate = parsed.find((block) => isRecord(block) && isRecord(block['cameras']) && isRecord(block['go2rtc']));
    assert.ok(isRecord(frigate), 'a Frigate snippet with go2rtc and cameras');
    assert.deepEqual(unknownKeys(frigate, FRIGATE.top), [], 'top-level keys');
    const streams = go2rtcConfigOf(frigate)?.['streams'] as Record<string, string[]>;
    for (const [name, camera] of Object.entries(frigate['cameras'] as Record<string, unknown>)) {
      assert.ok(isRecord(camera) && isRecord(camera['ffmpeg']), `${name}: ffmpeg block`);
      assert.deepEqual(unknownKeys(camera, FRIGATE.camera), [], `${name}: camera keys`);
      const ffmpeg = camera['ffmpeg'];
      assert.deepEqual(unknownKeys(ffmpeg, FRIGATE.ffmpeg), [], `${name}: ffmpeg keys`);
      assert.deepEqual(unknownKeys(ffmpeg['output_args'], FRIGATE.outputArgs), [], `${name}: output_args keys`);
      const recordPreset = isRecord(ffmpeg['output_args']) ? ffmpeg['output_args']['record'] : 'preset-record-generic-audio-aac';
      assert.ok(
        FRIGATE.recordPresets.includes(recordPreset as never),
        `${name}: record output ${String(recordPreset)} is a Frigate preset`,
      );
      for (const [key, allowed] of [
        ['detect', FRIGATE.detect],
        ['record', FRIGATE.record],
      ] as const) {
        assert.deepEqual(unknownKeys(camera[key], allowed), [], `${name}: ${key} keys`);
        // Both default to off in Frigate's models; the recipe promises detection and recordings.
        assert.equal(isRecord(camera[key]) && camera[key]['enabled'], true, `${name}: ${key}.enabled: true`);
      }
      const detect = camera['detect'] as Record<string, unknown>;
      assert.equal('width' in detect, 'height' in detect, `${name}: detect width and height together (Frigate's validator)`);

      const inputs = ffmpeg['inputs'];
      assert.ok(Array.isArray(inputs) && inputs.length > 0, `${name}: at least one input`);
      const roles = (inputs as unknown[]).flatMap((input) =>
        isRecord(input) && Array.isArray(input['roles']) ? (input['roles'] as unknown[]) : [],
      );
      assert.ok(roles.includes('detect'), `${name}: the detect role is required`);
      assert.equal(new Set(roles).size, roles.length, `${name}: each role once`);
      for (const input of inputs as unknown[]) {
        assert.ok(isRecord(input), `${name}: input is a mapping`);
        assert.deepEqual(unknownKeys(input, FRIGATE.input), [], `${name}: input keys`);
        assert.ok(
          (input['roles'] as unknown[]).every((role) => FRIGATE.roles.includes(role as never)),
          `${name}: roles`,
        );
        assert.ok(FRIGATE.inputPresets.includes(input['input_args'] as never), `${name}: input_args is a Frigate preset`);
        const match = /^rtsp:\/\/127\.0\.0\.1:8554\/([^?]+)(?:\?(.*))?$/.exec(String(input['path']));
        assert.ok(match?.[1] && match[1] in streams, `${name}: input ${String(input['path'])} is go2rtc's restream of a stream here`);
        const pick = restreamPick(streams[match[1]] ?? [], match[2]);
        assert.equal(pick.video, 'H264', `${name}: Frigate records and HA plays H.264, got ${JSON.stringify(pick)}`);
        const keepsAudio = /audio/.test(String(recordPreset));
        if (keepsAudio) assert.equal(pick.audio, 'AAC', `${name}: MP4 recordings carry AAC, the restream gives ${JSON.stringify(pick)}`);
        if (recordPreset === 'preset-record-generic-audio-copy') assert.equal(pick.audio, 'AAC', `${name}: audio-copy needs AAC in`);
      }
    }
  });

  it('the dashboard card of the quick start is a picture-entity card in live view on the live entity, not the still', () => {
    const card = parsed.find((block) => isRecord(block) && block['type'] === 'picture-entity');
    assert.ok(isRecord(card), 'a picture-entity card');
    // Keys of Home Assistant's picture entity card (home-assistant.io/dashboards/picture-entity).
    const keys = [
      'type',
      'entity',
      'camera_image',
      'camera_view',
      'image',
      'name',
      'aspect_ratio',
      'fit_mode',
      'show_name',
      'show_state',
      'theme',
    ];
    assert.deepEqual(unknownKeys(card, keys), [], 'card keys');
    assert.equal(card['camera_view'], 'live', 'live view: the default "auto" shows a still refreshed every 10 s');
    assert.match(String(card['entity']), /^camera\.(?!a9v720_)[a-z0-9_]+$/, 'a camera entity that is not the MQTT still (camera.a9v720_…)');
  });

  const automations = parsed.filter(
    (block) => isRecord(block) && ('triggers' in block || 'trigger' in block || 'automation' in block),
  ) as Record<string, unknown>[];

  it('the automations use triggers:/actions: and conditions: (no legacy keys) on entities the add-on creates', () => {
    assert.ok(automations.length >= 2, 'the connectivity and the motion automation');
    const record: CameraRecord = {
      id: '0800c00128F8',
      ip: '192.168.1.50',
      online: true,
      firstSeen: 0,
      lastSeen: 0,
      state: 'registered',
      registered: true,
    };
    const discovery = buildCameraDiscovery(record, {
      topics: new HaTopics('a9_v720', 'homeassistant'),
      addonVersion: '0',
      dashboardUrl: 'http://x/',
    });
    const entityId = (key: string): unknown =>
      (discovery.payload.components as Record<string, Record<string, unknown>>)[key]?.['default_entity_id'];
    const byEntity = new Map<unknown, Record<string, unknown>[]>();
    for (const automation of automations) {
      assert.ok(Array.isArray(automation['triggers']) && automation['triggers'].length > 0, 'triggers: list');
      assert.ok(Array.isArray(automation['actions']) && automation['actions'].length > 0, 'actions: list');
      // Pre-2024.10 syntax: `platform:` in triggers, `service:` in actions, an `automation:` wrapper.
      const json = JSON.stringify(automation);
      for (const legacy of ['platform', 'service', 'automation']) assert.ok(!json.includes(`"${legacy}":`), `legacy key "${legacy}"`);
      assert.ok(!('trigger' in automation) && !('action' in automation) && !('condition' in automation), 'top level uses the plural keys');
      for (const trigger of automation['triggers'] as Record<string, unknown>[]) {
        assert.equal(typeof trigger['trigger'], 'string', 'each trigger names its type with trigger:');
        byEntity.set(trigger['entity_id'], [...(byEntity.get(trigger['entity_id']) ?? []), trigger]);
      }
    }
    assert.deepEqual([...byEntity.keys()].sort(), [entityId('connectivity'), entityId('motion')].sort(), 'entity ids the add-on creates');
    const states = (key: string): unknown[] => (byEntity.get(entityId(key)) ?? []).map((t) => t['to']).sort();
    assert.deepEqual(states('connectivity'), ['off', 'on'], 'offline and back online');
    assert.deepEqual(states('motion'), ['on'], 'motion starts');
    const motionAutomation = JSON.stringify(automations.find((a) => JSON.stringify(a).includes(String(entityId('motion')))));
    assert.ok(
      motionAutomation.includes(`/api/camera_proxy/${String(entityId('image'))}`),
      'the picture is the camera entity the add-on creates',
    );
  });

  it('the offline/online automation does not flap: "back online" only after an announced "offline"', () => {
    const automation = automations.find((a) => (a['triggers'] as Record<string, unknown>[]).some((t) => t['id'] === 'offline'));
    assert.ok(automation, 'a trigger with id offline');
    const triggers = automation['triggers'] as Record<string, unknown>[];
    const offline = triggers.find((t) => t['id'] === 'offline');
    const online = triggers.find((t) => t['id'] === 'online');
    assert.ok(offline && online, 'offline and online triggers');
    const offlineAfter = durationSeconds(offline['for']);
    assert.equal(online['from'], 'off', 'back online means from off');
    const [choose] = automation['actions'] as Record<string, unknown>[];
    assert.ok(isRecord(choose) && Array.isArray(choose['choose']), 'one choose action');
    assert.ok(!('default' in choose), 'no default branch: nothing is announced outside the two branches');
    const branches = choose['choose'] as Record<string, unknown>[];
    for (const branch of branches) {
      assert.ok(Array.isArray(branch['conditions']) && Array.isArray(branch['sequence']), 'each option has conditions: and sequence:');
      for (const condition of branch['conditions'] as Record<string, unknown>[]) {
        assert.equal(typeof condition['condition'], 'string', 'each condition names its type');
      }
    }
    const branchFor = (id: string): Record<string, unknown>[] => {
      const branch = branches.find((b) =>
        (b['conditions'] as Record<string, unknown>[]).some((c) => c['condition'] === 'trigger' && c['id'] === id),
      );
      assert.ok(branch, `a branch for trigger ${id}`);
      return branch['conditions'] as Record<string, unknown>[];
    };
    assert.equal(branchFor('offline').length, 1, 'offline is announced whenever its trigger fires');
    const guard = branchFor('online').find((c) => c['condition'] === 'template');
    assert.ok(guard, 'the online branch has a template condition');
    const template = String(guard['value_template']);
    assert.match(template, /now\(\) - trigger\.from_state\.last_changed >= timedelta\(/, 'compares how long the camera was off');
    const guardSeconds = timedeltaSeconds(template);
    // The state machine: a drop of d seconds announces "offline" iff d >= for; "back" iff the guard holds.
    for (const d of [1, 30, offlineAfter - 1, offlineAfter, offlineAfter + 1, 3600]) {
      const announcedOffline = d >= offlineAfter;
      const announcedBack = guardSeconds !== undefined && d >= guardSeconds;
      assert.equal(announcedBack, announcedOffline, `a drop of ${d} s: offline ${announcedOffline}, back ${announcedBack}`);
    }
  });
});

describe('DOCS.md and README: links, options, routes, names', () => {
  const pages: [string, string][] = [
    [path.join(ADDON_DIR, 'DOCS.md'), docsText],
    [path.join(ADDON_DIR, 'REFERENCE.md'), referenceText],
    [path.join(ADDON_DIR, 'README.md'), addonReadme],
    [path.join(REPO_ROOT, 'README.md'), rootReadme],
  ];

  it('every link to a file of the repository resolves, anchors included', () => {
    let checked = 0;
    for (const [file, text] of pages) {
      for (const target of linkTargets(text)) {
        if (/^[a-z]+:/.test(target)) continue;
        const [filePart = '', anchor] = target.split('#');
        const resolved = filePart === '' ? file : path.resolve(path.dirname(file), filePart);
        assert.ok(existsSync(resolved), `${path.relative(REPO_ROOT, file)}: ${target} does not exist`);
        if (anchor !== undefined && resolved.endsWith('.md')) {
          assert.ok(
            anchorsOf(readFileSync(resolved, 'utf8')).has(anchor),
            `${path.relative(REPO_ROOT, file)}: no heading for #${anchor} in ${filePart || 'itself'}`,
          );
        }
        checked++;
      }
    }
    assert.ok(checked >= 8, `links checked: ${checked}`);
    assert.equal(
      headingAnchor('1. DNS: send the cameras to Home Assistant'),
      '1-dns-send-the-cameras-to-home-assistant',
      "GitHub's slug rule",
    );
  });

  it('every DOCS.md anchor and section the add-on itself points users to exists (setup view, panel texts)', () => {
    const files = filesUnder(path.join(ADDON_DIR, 'src'), /\.(ts|js)$/);
    const anchors = anchorsOf(docsText);
    const sections = new Map(
      [...docsText.matchAll(/^## (\d+)\. .*$/gm)].map((m) => {
        const end = docsText.indexOf('\n## ', (m.index ?? 0) + 1);
        return [m[1] ?? '', docsText.slice(m.index, end < 0 ? undefined : end).toLowerCase()] as const;
      }),
    );
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const where = path.relative(ADDON_DIR, file);
      for (const [, anchor] of text.matchAll(/anchor:\s*'#([^']+)'/g)) {
        assert.ok(anchors.has(anchor ?? ''), `${where}: DOCS.md has no heading for #${anchor}`);
      }
      for (const [label, number, words] of text.matchAll(/DOCS §(\d+)([^'`"\n)]*)/g)) {
        const section = sections.get(number ?? '');
        assert.ok(section, `${where}: "${label}" names a section DOCS.md does not have`);
        const topic = (words ?? '').replace(/\(.*$/, '').trim().toLowerCase();
        if (topic !== '') assert.ok(section.includes(topic), `${where}: "${label}": section ${number} of DOCS.md is not about ${topic}`);
      }
    }
  });

  it("DOCS.md links REFERENCE.md both relatively and on GitHub (Home Assistant's Documentation tab shows DOCS.md alone)", () => {
    assert.ok(docsText.includes('](REFERENCE.md)'), 'relative link');
    assert.ok(docsText.includes(`${REPO_URL}/blob/main/a9-v720/REFERENCE.md`), 'the GitHub page URL');
  });

  it('every option of config.yaml is documented in the Options table of DOCS.md, with its default', () => {
    const schema = manifest['schema'];
    const options = manifest['options'];
    assert.ok(isRecord(schema) && isRecord(options), 'schema and options');
    const rows = docsText.split('\n').filter((line) => line.startsWith('| `'));
    for (const name of Object.keys(schema)) {
      const row = rows.find((line) => (line.split('|')[1] ?? '').includes(`\`${name}\``));
      assert.ok(row, `option ${name} is in the Options table`);
      const documented = (row.split('|')[2] ?? '').trim();
      const expected: string = name in options ? String(options[name]) : 'empty';
      assert.equal(documented, expected, `${name}: documented default`);
    }
  });

  it('every API route the docs name exists in the web server (with its method where one is given)', () => {
    const routes = registeredRoutes();
    const paths = new Set([...routes].map((route) => route.split(' ')[1]));
    let checked = 0;
    for (const [file, text] of pages) {
      for (const [mention, methods] of [
        ...text.matchAll(/(?:((?:GET|PUT|POST|DELETE)(?:`?\s*\/\s*`?(?:GET|PUT|POST|DELETE))*) )?(\/api\/[^\s`"'|]+)/g),
      ].map((m) => [m[2] ?? '', m[1]] as const)) {
        if (HA_CORE_ROUTES.some((re) => re.test(mention))) continue;
        const route = routePattern(mention);
        assert.ok(paths.has(route), `${path.relative(REPO_ROOT, file)}: ${mention} (${route}) is not a route of the add-on`);
        for (const method of methods?.match(/GET|PUT|POST|DELETE/g) ?? []) {
          assert.ok(routes.has(`${method} ${route}`), `${path.relative(REPO_ROOT, file)}: ${method} ${route} is not registered`);
        }
        checked++;
      }
    }
    assert.ok(checked >= 10, `routes checked: ${checked}`);
  });

  it('the add-on has one name: config.yaml name = panel_title = the pages; no other spelling', () => {
    const name = String(manifest['name']);
    assert.equal(manifest['panel_title'], name, 'panel_title');
    assert.equal(/^# (.+)$/m.exec(docsText)?.[1], name, 'DOCS.md title');
    assert.equal(/^# (.+)$/m.exec(addonReadme)?.[1], name, 'README.md title');
    assert.ok(rootReadme.includes(`**${name}**`), 'the root README names the add-on');
    for (const [file, text] of pages) {
      assert.doesNotMatch(text, /\bA9 (V720 )?cameras\b/i, `${path.relative(REPO_ROOT, file)}: another spelling of the name`);
    }
    const apiName = /name: '([^']+)'/.exec(readFileSync(path.join(ADDON_DIR, 'src', 'web', 'api-routes.ts'), 'utf8'))?.[1];
    assert.equal(apiName, name, '/api/info name');
  });

  it('add-ons are also called apps while the minimum Home Assistant version is older than 2026.2', () => {
    const [year = 0, month = 0] = String(manifest['homeassistant']).split('.').map(Number);
    if (year > 2026 || (year === 2026 && month >= 2)) return;
    for (const [where, text] of [
      ['DOCS.md', docsText],
      ['README.md', rootReadme],
    ] as const) {
      const flat = text.replace(/\s+/g, ' ');
      assert.match(flat, /Settings → Add-ons → Add-on store/, `${where}: the add-on menu`);
      assert.match(flat, /Settings → Apps → App store/, `${where}: the app menu of 2026.2 and later`);
    }
  });

  it('the "add repository" button and the repository URL match repository.yaml', () => {
    const button = `https://my.home-assistant.io/redirect/supervisor_add_addon_repository/?repository_url=${encodeURIComponent(REPO_URL)}`;
    for (const [where, text] of [
      ['DOCS.md', docsText],
      ['README.md', rootReadme],
    ] as const) {
      assert.ok(text.includes(button), `${where}: the my.home-assistant.io button for ${REPO_URL}`);
      assert.ok(text.includes(`\`${REPO_URL}\``), `${where}: the URL to paste by hand`);
    }
    assert.equal(manifest['url'], REPO_URL, 'config.yaml url');
  });

  it('no menus or commands that are gone (Pi-hole v5, pihole restartdns) and no router claims nobody checked, in the pages or in what the add-on shows', () => {
    // What the add-on itself shows users: the panel, the setup view's texts, the pairing helper.
    const shown = filesUnder(path.join(ADDON_DIR, 'src'), /\.(ts|js|html|py)$/).map((file): [string, string] => [
      file,
      readFileSync(file, 'utf8'),
    ]);
    for (const [file, text] of [...pages, ...shown]) {
      for (const stale of [/pihole restartdns/, /Local DNS → DNS Records/, /fritz/i]) {
        assert.doesNotMatch(text, stale, `${path.relative(REPO_ROOT, file)}: ${stale.source}`);
      }
    }
  });

  it('DOCS.md opens with the four prerequisites and a quick start of at most seven steps ending on a live dashboard card', () => {
    const start = docsText.indexOf('## Quick start');
    const box = docsText.slice(0, start);
    for (const gate of ['DNS server you control', '202411201737', 'Port 80', '2.4 GHz'])
      assert.ok(box.includes(gate), `prerequisite: ${gate}`);
    const quick = docsText.slice(start, docsText.indexOf('\n## ', start + 1));
    const steps = [...quick.matchAll(/^(\d+)\. /gm)].map((m) => Number(m[1]));
    assert.ok(steps.length >= 4 && steps.length <= 7, `steps: ${steps.join(', ')}`);
    const last = quick.slice(quick.lastIndexOf(`\n${steps.at(-1)}. `));
    assert.match(last, /Picture entity/, 'the last step puts the camera on a card');
    assert.match(last, /\*\*Live\*\*/, 'in live view');
  });
});
