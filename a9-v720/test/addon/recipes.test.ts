/**
 * Every media recipe of DOCS.md, run as written against the add-on with simulated cameras (the
 * demo: an A-law camera and a 16-bit PCM camera, firmware 202312111512) using Debian's ffmpeg and
 * ffprobe, and the output's codecs checked with ffprobe:
 * - each `ffmpeg`/`ffprobe` line of the ```sh blocks, with the sample address, camera id and
 *   `<key>` replaced by the running add-on's;
 * - each `ffmpeg:` source of the go2rtc/Frigate YAML, as the ffmpeg command go2rtc itself would
 *   run for it (test/support/go2rtc-ffmpeg.ts). Where go2rtc would read its own RTSP restream of a
 *   stream, the test gives ffmpeg the source go2rtc would take that track from (the add-on's URL,
 *   or the output of the `ffmpeg:` source before it): the same pictures and samples.
 * The commands come out of DOCS.md, so the docs and this test cannot drift apart.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { SimulatorFleet } from '../../src/simulator/fleet.js';
import { startHarness, waitFor, type Harness } from '../support/app-harness.js';
import { ffmpegArgs, parseFfmpegSource, type Go2rtcFfmpeg } from '../support/go2rtc-ffmpeg.js';
import { codeBlocks, docsText, SAMPLE_BASE, shellWords, withLiveValues } from './docs-text.js';
import { isRecord } from './supervisor-rules.js';

const FFMPEG = '/usr/bin/ffmpeg';
const FFPROBE = '/usr/bin/ffprobe';

interface Run {
  readonly code: number | null;
  readonly stdout: Buffer;
  readonly stderr: string;
}

/**
 * Runs a program. With `stopAfterBytes` it is killed once that much stdout arrived (go2rtc's
 * ffmpeg runs until go2rtc stops it); every run is killed after `limitMs` in any case.
 */
function run(file: string, args: readonly string[], options: { cwd?: string; limitMs: number; stopAfterBytes?: number }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outBytes = 0;
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.limitMs);
    child.stdout.on('data', (chunk: Buffer) => {
      out.push(chunk);
      outBytes += chunk.length;
      if (options.stopAfterBytes !== undefined && outBytes >= options.stopAfterBytes) child.kill('SIGKILL');
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: Buffer.concat(out), stderr });
    });
  });
}

interface Probed {
  readonly codec: string;
  readonly kind: string;
  readonly sampleRate?: number;
  readonly channels?: number;
  readonly duration?: number;
}

/** The streams of a media file as ffprobe sees them. */
async function probe(file: string): Promise<Probed[]> {
  const result = await run(
    FFPROBE,
    ['-v', 'error', '-show_entries', 'stream=codec_type,codec_name,sample_rate,channels,duration', '-of', 'json', file],
    { limitMs: 30_000 },
  );
  assert.equal(result.code, 0, `ffprobe ${file} failed: ${result.stderr}`);
  const parsed: unknown = JSON.parse(result.stdout.toString());
  assert.ok(isRecord(parsed) && Array.isArray(parsed['streams']), `ffprobe output: ${result.stdout.toString()}`);
  return (parsed['streams'] as unknown[]).filter(isRecord).map((stream) => ({
    codec: String(stream['codec_name']),
    kind: String(stream['codec_type']),
    sampleRate: stream['sample_rate'] === undefined ? undefined : Number(stream['sample_rate']),
    channels: stream['channels'] === undefined ? undefined : Number(stream['channels']),
    duration: stream['duration'] === undefined ? undefined : Number(stream['duration']),
  }));
}

// The recipes, straight from DOCS.md.
const shellLines = codeBlocks(docsText)
  .filter((block) => block.lang === 'sh')
  .flatMap((block) => block.text.split('\n').filter((line) => line.trim() !== ''));
const go2rtcStreams = codeBlocks(docsText)
  .filter((block) => block.lang === 'yaml')
  .map((block) => parseYaml(block.text) as unknown)
  .map((doc) => (isRecord(doc) && isRecord(doc['go2rtc']) ? doc['go2rtc'] : doc))
  .flatMap((doc) => (isRecord(doc) && isRecord(doc['streams']) ? Object.entries(doc['streams']) : []))
  .map(([name, sources]) => ({ name, sources: (Array.isArray(sources) ? sources : [sources]).map(String) }));

/** A stream's sources in go2rtc's order, with the kind of track each one publishes. */
function trackKinds(source: string): { video: boolean; audio: boolean } {
  if (source.startsWith('ffmpeg:')) {
    const parsed = parseFfmpegSource(source);
    return { video: parsed.video.length > 0, audio: parsed.audio.length > 0 };
  }
  if (source.endsWith('/stream') || source.includes('/stream?')) return { video: true, audio: false };
  if (source.endsWith('/audio') || source.includes('/audio?')) return { video: false, audio: true };
  throw new Error(`unknown source kind: ${source}`);
}

/** Is this stream for a 16-bit PCM camera? Its audio reaches go2rtc only through an ffmpeg transcode of the URL. */
const isPcmRecipe = (sources: readonly string[]): boolean =>
  sources.some((source) => source.startsWith(`ffmpeg:${SAMPLE_BASE}audio`)) &&
  !sources.some((source) => source.startsWith(`${SAMPLE_BASE}audio`));

let h: Harness;
let fleet: SimulatorFleet;
let key = '';
let work = '';
/** The demo's cameras by audio format. */
const cameras = { alaw: '', pcm: '' };
const baseOf = (id: string): string => `http://127.0.0.1:${h.app.ports.web}/api/cameras/${id}/`;

before(async () => {
  assert.ok(
    existsSync(FFMPEG) && existsSync(FFPROBE),
    `Debian's ffmpeg and ffprobe at /usr/bin (bash scripts/setup.sh --test installs them)`,
  );
  h = await startHarness({ logLevel: 'info' });
  // The demo mode's cameras (src/main.ts --demo), one of each audio format.
  fleet = new SimulatorFleet({ count: 2, host: '127.0.0.1', httpPort: h.app.ports.http, profiles: ['ideal', 'pcm-202312111512'] });
  await fleet.start();
  const [alaw, pcm] = fleet.cameras;
  assert.ok(alaw && pcm, 'two demo cameras');
  cameras.alaw = alaw.id;
  cameras.pcm = pcm.id;
  await waitFor(() => fleet.cameras.every((camera) => h.app.registry.get(camera.id)?.online === true), 'both demo cameras online', 30_000);
  const info: unknown = await (await fetch(`http://127.0.0.1:${h.app.ports.web}/api/info`)).json();
  assert.ok(isRecord(info) && typeof info['mediaKey'] === 'string', `the media key from /api/info: ${JSON.stringify(info)}`);
  key = info['mediaKey'];
  work = mkdtempSync(path.join(tmpdir(), 'a9-recipes-'));
});

after(async () => {
  await fleet?.stop();
  await h?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('DOCS.md ffmpeg and ffprobe lines', () => {
  it('there are recipes to run: one ffprobe and one ffmpeg line, nothing else', () => {
    assert.deepEqual(shellLines.map((line) => shellWords(line)[0]).sort(), ['ffmpeg', 'ffprobe'], shellLines.join('\n'));
  });

  for (const format of ['alaw', 'pcm'] as const) {
    const expected = format === 'alaw' ? 'pcm_alaw' : 'pcm_s16le';
    it(`ffprobe names the audio format of the ${format} camera (${expected})`, async () => {
      const line = shellLines.find((l) => l.startsWith('ffprobe '));
      assert.ok(line, 'an ffprobe line');
      const [, ...args] = shellWords(withLiveValues(line, baseOf(cameras[format]), key));
      const result = await run(FFPROBE, args, { limitMs: 60_000 });
      assert.equal(result.code, 0, `ffprobe failed: ${result.stderr}`);
      assert.match(result.stderr, new RegExp(`Audio: ${expected}\\b.*8000 Hz, (mono|1 channels)`), result.stderr);
      // DOCS.md tells PCM camera owners to look for exactly this word.
      if (format === 'pcm') assert.ok(docsText.includes(`\`${expected}\``), `DOCS.md names ${expected}`);
    });

    it(`the ffmpeg line records ten seconds of H.264 and AAC from the ${format} camera`, async () => {
      const line = shellLines.find((l) => l.startsWith('ffmpeg '));
      assert.ok(line, 'an ffmpeg line');
      const [, ...args] = shellWords(withLiveValues(line, baseOf(cameras[format]), key));
      const output = args.at(-1) ?? '';
      const dir = mkdtempSync(path.join(work, `${format}-`));
      const result = await run(FFMPEG, args, { cwd: dir, limitMs: 120_000 });
      assert.equal(result.code, 0, `ffmpeg failed: ${result.stderr.slice(-2000)}`);
      const streams = await probe(path.join(dir, output));
      assert.deepEqual(streams.map((s) => `${s.kind}:${s.codec}`).sort(), ['audio:aac', 'video:h264'], JSON.stringify(streams));
      const video = streams.find((s) => s.kind === 'video');
      assert.ok(video?.duration !== undefined && video.duration >= 9 && video.duration <= 11, `about ten seconds, got ${video?.duration}`);
    });
  }
});

describe('DOCS.md go2rtc and Frigate streams: the ffmpeg commands go2rtc runs for their ffmpeg: sources', () => {
  it('the recipes have ffmpeg sources for H.264 video, AAC audio and the PCM → A-law transcode', () => {
    const all = go2rtcStreams.flatMap((stream) => stream.sources.filter((s) => s.startsWith('ffmpeg:')));
    const codecs = new Set(all.map((source) => parseFfmpegSource(source)).flatMap((p) => [...p.video, ...p.audio]));
    assert.deepEqual([...codecs].sort(), ['aac', 'h264', 'pcma'], all.join('\n'));
  });

  /** What each codec must come out as, checked by ffprobe. */
  const EXPECTED: Record<string, { kind: string; codec: string; sampleRate?: number; channels?: number }> = {
    h264: { kind: 'video', codec: 'h264' },
    aac: { kind: 'audio', codec: 'aac', sampleRate: 8000, channels: 1 },
    pcma: { kind: 'audio', codec: 'pcm_alaw', sampleRate: 8000, channels: 1 },
  };

  for (const [index, stream] of go2rtcStreams.entries()) {
    const pcm = isPcmRecipe(stream.sources);
    it(`stream ${index + 1} (${stream.name}, ${pcm ? 'a PCM camera' : 'an A-law camera'}): every ffmpeg: source gives the codec it names`, async () => {
      const camera = pcm ? cameras.pcm : cameras.alaw;
      const live = (text: string): string => withLiveValues(text, baseOf(camera), key);
      // The media go2rtc reads with its own WAV reader must be 8-bit G.711: it steps timestamps by
      // one sample per byte (pkg/wav/producer.go), wrong for 16-bit PCM.
      for (const url of stream.sources.filter((s) => s.startsWith(`${SAMPLE_BASE}audio`))) {
        const [audio] = await probe(live(url));
        assert.equal(audio?.codec, 'pcm_alaw', `${url}: go2rtc reads it as WAV, so it must be 8-bit A-law on this camera`);
      }
      const outputs = new Map<string, string>();
      /** Produces a source's output into a file (once) and returns the file. */
      const produce = async (source: string): Promise<string> => {
        const done = outputs.get(source);
        if (done) return done;
        const parsed: Go2rtcFfmpeg = parseFfmpegSource(source);
        let input: string;
        if (parsed.input.kind === 'url') input = live(parsed.input.url);
        else {
          assert.equal(parsed.input.name, stream.name, `${source} reads its own stream`);
          // go2rtc's restream takes each track from the first source that has it, skipping the asking source itself.
          const want = parsed.input.media;
          const from = stream.sources.find((s) => s !== source && (want === 'audio' ? trackKinds(s).audio : trackKinds(s).video));
          assert.ok(from, `${source}: no source in ${stream.name} has ${want}`);
          input = from.startsWith('ffmpeg:') ? await produce(from) : live(from);
        }
        const result = await run(FFMPEG, ffmpegArgs(parsed, input), {
          limitMs: 90_000,
          stopAfterBytes: parsed.output === 'rtsp' ? 150_000 : 16_000,
        });
        assert.ok(result.stdout.length > 0, `${source}: no output; ffmpeg said ${result.stderr.slice(-2000)}`);
        const file = path.join(
          work,
          `${index}-${outputs.size}.${parsed.output === 'adts' ? 'aac' : parsed.output === 'wav' ? 'wav' : 'ts'}`,
        );
        writeFileSync(file, result.stdout);
        outputs.set(source, file);
        return file;
      };
      for (const source of stream.sources.filter((s) => s.startsWith('ffmpeg:'))) {
        const parsed = parseFfmpegSource(source);
        const streams = await probe(await produce(source));
        for (const codec of [...parsed.video, ...parsed.audio]) {
          const expected = EXPECTED[codec];
          assert.ok(expected, `${source}: no expectation for ${codec}`);
          const got = streams.find((s) => s.kind === expected.kind);
          assert.equal(got?.codec, expected.codec, `${source}: ${JSON.stringify(streams)}`);
          if (expected.sampleRate !== undefined) assert.equal(got?.sampleRate, expected.sampleRate, `${source}: sample rate`);
          if (expected.channels !== undefined) assert.equal(got?.channels, expected.channels, `${source}: channels`);
        }
      }
    });
  }

  it('a PCM camera has its own recipe, and its URL is 16-bit PCM, which go2rtc must not read directly', async () => {
    assert.ok(
      go2rtcStreams.some((stream) => isPcmRecipe(stream.sources)),
      'a go2rtc stream that transcodes the PCM audio URL to A-law',
    );
    const [audio] = await probe(`${baseOf(cameras.pcm)}audio?key=${key}`);
    assert.equal(audio?.codec, 'pcm_s16le', 'the demo PCM camera sends 16-bit PCM');
  });
});
