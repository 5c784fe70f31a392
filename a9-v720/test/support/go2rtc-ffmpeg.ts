/**
 * What go2rtc does with an `ffmpeg:` source of a stream, so that the recipe test can run the very
 * ffmpeg command go2rtc would run. A port of the part of go2rtc's `parseArgs` that the recipes use
 * (internal/ffmpeg/ffmpeg.go and pkg/ffmpeg/ffmpeg.go of github.com/AlexxIT/go2rtc, commit
 * dc1685e9cf7a8c349181f20a1b4a44825ed394c5): the input templates, the codec presets, `-an`/`-vn`,
 * and the output that go2rtc picks (an RTSP push back into itself, or a pipe it reads: ADTS for
 * AAC alone, WAV for G.711/PCM alone). Pure: no I/O.
 */

/** go2rtc's `defaults` for the keys this port needs, verbatim. */
export const GO2RTC_DEFAULTS = {
  global: '-hide_banner',
  http: '-fflags nobuffer -flags low_delay -i {input}',
  rtsp: '-fflags nobuffer -flags low_delay -timeout {timeout} -user_agent go2rtc/ffmpeg -rtsp_flags prefer_tcp -i {input}',
  output: '-user_agent ffmpeg/go2rtc -rtsp_transport tcp -f rtsp {output}',
  'output/aac': '-f adts -',
  'output/wav': '-f wav -',
  h264: '-c:v libx264 -g 50 -profile:v high -level:v 4.1 -preset:v superfast -tune:v zerolatency -pix_fmt:v yuv420p',
  aac: '-c:a aac',
  pcma: '-c:a pcm_alaw -ar:a 8000 -ac:a 1',
  pcmu: '-c:a pcm_mulaw -ar:a 8000 -ac:a 1',
  pcml: '-c:a pcm_s16le -ar:a 8000 -ac:a 1',
  opus: '-c:a libopus -application:a lowdelay -min_comp 0',
} as const;

/** go2rtc's log level for ffmpeg by default (`log: ffmpeg: error`), appended to `global`. */
const GLOBAL = `${GO2RTC_DEFAULTS.global} -v error`;

type Preset = Exclude<keyof typeof GO2RTC_DEFAULTS, 'global' | 'http' | 'rtsp' | 'output' | 'output/aac' | 'output/wav'>;
const isPreset = (name: string): name is Preset => name in GO2RTC_DEFAULTS && !/^(global|http|rtsp|output)/.test(name);

export type Go2rtcInput =
  /** An `http(s)://` URL that ffmpeg opens itself (go2rtc's `http` input template). */
  | { readonly kind: 'url'; readonly url: string }
  /** Another stream of go2rtc by name: ffmpeg reads go2rtc's own RTSP restream of it, asking only for these media. */
  | { readonly kind: 'stream'; readonly name: string; readonly media: 'video' | 'audio' | 'video&audio' };

export type Go2rtcOutput = 'rtsp' | 'adts' | 'wav';

export interface Go2rtcFfmpeg {
  readonly input: Go2rtcInput;
  /** The codec arguments, in go2rtc's order (`-c:v …`, `-c:a …`, then `-an`/`-vn`). */
  readonly codecs: readonly string[];
  readonly output: Go2rtcOutput;
  /** What go2rtc publishes from this source: the kinds of tracks and their codec names. */
  readonly video: readonly string[];
  readonly audio: readonly string[];
}

/**
 * go2rtc's `streams.ParseQuery` for the part after `#`: `#`-separated `key=value` (or bare `key`),
 * repeated keys keep every value.
 */
export function parseHashQuery(query: string): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const part of query.split('#')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  return values;
}

/** Parses `ffmpeg:<input>#video=…#audio=…` as go2rtc's parseArgs does (the subset the recipes use; anything else throws). */
export function parseFfmpegSource(source: string): Go2rtcFfmpeg {
  if (!source.startsWith('ffmpeg:')) throw new Error(`not an ffmpeg source: ${source}`);
  const rest = source.slice('ffmpeg:'.length);
  const hash = rest.indexOf('#');
  const query = parseHashQuery(hash < 0 ? '' : rest.slice(hash + 1));
  const target = hash < 0 ? rest : rest.slice(0, hash);
  for (const key of query.keys()) {
    if (key !== 'video' && key !== 'audio') throw new Error(`${source}: the port knows only #video= and #audio=, not #${key}`);
  }
  const video = query.get('video') ?? [];
  const audio = query.get('audio') ?? [];

  let input: Go2rtcInput;
  const scheme = /^([a-z]+):\/\//.exec(target)?.[1];
  if (scheme === 'http' || scheme === 'https') input = { kind: 'url', url: target };
  else if (scheme !== undefined) throw new Error(`${source}: input scheme ${scheme} is not ported`);
  else {
    // go2rtc asks its restream for `?video`, `?audio` or `?video&audio` by which params are set.
    const media = video.length > 0 && audio.length === 0 ? 'video' : audio.length > 0 && video.length === 0 ? 'audio' : 'video&audio';
    input = { kind: 'stream', name: target, media };
  }

  const codecs: string[] = [];
  for (const [kind, names] of [
    ['v', video],
    ['a', audio],
  ] as const) {
    for (const name of names) {
      if (name === 'copy') codecs.push(`-c:${kind} copy`);
      else if (isPreset(name)) codecs.push(GO2RTC_DEFAULTS[name]);
      else throw new Error(`${source}: codec ${name} is not ported`);
    }
  }
  if (video.length === 0 && audio.length === 0) codecs.push('-c copy');
  else if (video.length === 0) codecs.push('-vn');
  else if (audio.length === 0) codecs.push('-an');

  let output: Go2rtcOutput = 'rtsp';
  if (video.length === 0 && audio.length === 1) {
    const codec = (audio[0] ?? '').split('/')[0];
    if (codec === 'aac') output = 'adts';
    else if (codec === 'pcma' || codec === 'pcmu' || codec === 'pcml') output = 'wav';
  }
  return { input, codecs, output, video, audio };
}

/**
 * The ffmpeg arguments go2rtc runs for a parsed source, with the input (a URL or a file that
 * stands for go2rtc's restream) and with every output sent to stdout: the RTSP push back into
 * go2rtc becomes MPEG-TS on stdout, the one thing this port changes (the codecs are go2rtc's).
 */
export function ffmpegArgs(parsed: Go2rtcFfmpeg, input: string): string[] {
  const words = (text: string): string[] => text.split(' ').filter((word) => word !== '');
  const output =
    parsed.output === 'adts' ? GO2RTC_DEFAULTS['output/aac'] : parsed.output === 'wav' ? GO2RTC_DEFAULTS['output/wav'] : '-f mpegts -';
  return [
    ...words(GLOBAL),
    ...words(GO2RTC_DEFAULTS.http).map((word) => (word === '{input}' ? input : word)),
    ...parsed.codecs.flatMap(words),
    ...words(output),
  ];
}
