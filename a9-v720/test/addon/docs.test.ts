/**
 * DOCS.md's recipes must work when copied: every YAML snippet parses, the go2rtc and Frigate
 * snippets use the add-on's real media URLs and only the transcodes they need, and the automation
 * uses current Home Assistant syntax (triggers:/actions:) with an entity id the add-on creates.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import type { CameraRecord } from '../../src/camera/registry.js';
import { ADDON_PORTS } from '../../src/config.js';
import { buildCameraDiscovery } from '../../src/ha/discovery.js';
import { HaTopics } from '../../src/ha/topics.js';
import { ADDON_DIR, isRecord } from './supervisor-rules.js';

const docs = readFileSync(path.join(ADDON_DIR, 'DOCS.md'), 'utf8');
const yamlBlocks = [...docs.matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
const parsed = yamlBlocks.map((text) => parseYaml(text) as unknown);

const go2rtcStreamsOf = (block: unknown): Record<string, unknown> | undefined => {
  if (!isRecord(block)) return undefined;
  if (isRecord(block['streams'])) return block['streams'];
  if (isRecord(block['go2rtc']) && isRecord(block['go2rtc']['streams'])) return block['go2rtc']['streams'];
  return undefined;
};

/** Every key anywhere in a parsed YAML value. */
function keysDeep(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) keysDeep(item, out);
  else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      out.push(key);
      keysDeep(item, out);
    }
  }
  return out;
}

/** A LAN media URL as the add-on serves it (a media key query, `?key=<key>`, allowed). */
const MEDIA_URL = new RegExp(
  `^http://192\\.168\\.1\\.5:${ADDON_PORTS.web}/api/cameras/([A-Za-z0-9]{4,32})/(stream|audio|snapshot)(\\?key=[^&#\\s]+)?$`,
);

describe('DOCS.md snippets', () => {
  it('every YAML snippet parses', () => {
    assert.ok(yamlBlocks.length >= 4, `found ${yamlBlocks.length} YAML snippets`);
    yamlBlocks.forEach((text, i) => assert.doesNotThrow(() => parseYaml(text), `snippet ${i + 1}:\n${text}`));
  });

  it('go2rtc: the MJPEG stream and the audio URL as two sources; ffmpeg only as h264 video or aac audio of the same stream', () => {
    const streamsBlocks = parsed.map(go2rtcStreamsOf).filter((s): s is Record<string, unknown> => s !== undefined);
    assert.ok(streamsBlocks.length >= 2, 'go2rtc and Frigate snippets');
    for (const streams of streamsBlocks) {
      for (const [name, sources] of Object.entries(streams)) {
        assert.ok(Array.isArray(sources), `${name}: a list of sources`);
        const urls = sources.filter((s): s is string => typeof s === 'string' && s.startsWith('http'));
        const kinds = urls.map((url) => MEDIA_URL.exec(url)?.[2]);
        assert.deepEqual(kinds, ['stream', 'audio'], `${name}: ${urls.join(', ')} must be the add-on's stream and audio URLs`);
        assert.equal(new Set(urls.map((url) => MEDIA_URL.exec(url)?.[1])).size, 1, 'one camera per stream');
        for (const source of sources.filter((s): s is string => typeof s === 'string' && !s.startsWith('http'))) {
          assert.match(source, new RegExp(`^ffmpeg:${name}#(video=h264|audio=aac)$`), `${name}: unexpected source ${source}`);
        }
      }
    }
    // The plain recipe needs no ffmpeg at all.
    const plain = streamsBlocks.find((streams) =>
      Object.values(streams).every((sources) => (sources as string[]).every((s) => s.startsWith('http'))),
    );
    assert.ok(plain, 'a go2rtc recipe without ffmpeg');
  });

  it("Frigate reads go2rtc's restream of a stream that exists, and records audio only with an aac source", () => {
    const frigate = parsed.find((block) => isRecord(block) && isRecord(block['cameras']) && isRecord(block['go2rtc']));
    assert.ok(isRecord(frigate), 'a Frigate snippet with go2rtc and cameras');
    const streams = go2rtcStreamsOf(frigate) ?? {};
    for (const [name, camera] of Object.entries(frigate['cameras'] as Record<string, unknown>)) {
      assert.ok(isRecord(camera) && isRecord(camera['ffmpeg']), `${name}: ffmpeg block`);
      const inputs = camera['ffmpeg']['inputs'];
      assert.ok(Array.isArray(inputs) && inputs.length > 0, `${name}: at least one ffmpeg input, got ${JSON.stringify(inputs)}`);
      for (const input of inputs as Record<string, unknown>[]) {
        const match = /^rtsp:\/\/127\.0\.0\.1:8554\/(.+)$/.exec(String(input['path']));
        assert.ok(match?.[1] && match[1] in streams, `${name}: input ${String(input['path'])} is not a go2rtc stream`);
        assert.equal(input['input_args'], 'preset-rtsp-restream');
        assert.ok(
          Array.isArray(input['roles']) && input['roles'].includes('detect'),
          `${name}: input roles include detect, got ${JSON.stringify(input['roles'])}`,
        );
        const sources = streams[match[1]] as string[];
        assert.ok(sources.includes(`ffmpeg:${match[1]}#video=h264`), 'Frigate needs H.264');
        const outputArgs: unknown = camera['ffmpeg']['output_args'];
        const recordsAudio: boolean = isRecord(outputArgs) && /audio/.test(String(outputArgs['record']));
        assert.equal(recordsAudio, sources.includes(`ffmpeg:${match[1]}#audio=aac`), 'audio recording goes with the aac source');
      }
    }
  });

  it('the automations use triggers:/actions: (no legacy keys) on entities the add-on creates', () => {
    const automations = parsed.filter((block) => isRecord(block) && ('triggers' in block || 'trigger' in block || 'automation' in block));
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
    for (const automation of automations as Record<string, unknown>[]) {
      assert.ok(Array.isArray(automation['triggers']) && automation['triggers'].length > 0, 'triggers: list');
      assert.ok(Array.isArray(automation['actions']) && automation['actions'].length > 0, 'actions: list');
      // Pre-2024.10 syntax: `platform:` in triggers, `service:` in actions, an `automation:` wrapper.
      const keys = keysDeep(automation);
      for (const legacy of ['platform', 'service', 'automation']) assert.ok(!keys.includes(legacy), `legacy key "${legacy}"`);
      assert.ok(!('trigger' in automation) && !('action' in automation), 'top level uses the plural keys');
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
});
