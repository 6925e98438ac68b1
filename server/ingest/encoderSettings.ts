/**
 * What a technician pastes into the encoder for an ingest point: the URL and secret, and the
 * encoding settings that matter to viewers (a keyframe every second, no B-frames, a bitrate under
 * the ceiling), for each encoder that can send the point's protocol. Blackmagic devices import a
 * streaming XML file instead (Web Presenter, ATEM Mini Pro): it is made here too.
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { EncoderSetting, EncoderSettingName, EncoderSettings, IngestEncoderSettingsResponse } from '../../shared/protocol.js';
import type { IngestPoint } from '../storage/ingestPoints.js';

/** Where and how the encoder reaches this server, and what the point's secret is now. */
export interface EncoderContext {
  /** The server's name as the technician's browser reached it (encoders reach the same name). */
  host: string;
  /** Scheme, name and port of the HTTP server: the WHIP URL is on it. */
  httpOrigin: string;
  secret: string;
  stageTitle: string;
  /** INGEST_MAX_BITRATE_KBPS: the pre-flight check warns above it. */
  maxBitrateKbps: number;
}

/** The rule, and what the recorder and HLS segments are cut at. */
const KEYFRAME_INTERVAL_SECONDS = 1;
/** 1080p at up to 30 frames a second; 50 and 60 get more (Blackmagic profiles), all within the ceiling. */
const VIDEO_KBPS = { '1080p': { 30: 4500, 60: 6000 }, '720p': { 30: 2500, 60: 3500 } } as const;
const AUDIO_KBPS = 128;
/** SRT's receive buffer: enough for resends over the internet, little added delay. */
const SRT_LATENCY_MS = 300;
/** The listener's pbkeylen (AES-128). */
const SRT_KEY_LENGTH = 16;

/** The URL the encoder sends to: SRT's carries stream id and passphrase, RTMP's key goes separately. */
export function encoderUrl(point: IngestPoint, host: string, httpOrigin: string, secret: string): string {
  const name = bracketedHost(host);
  if (point.protocol === 'rtmp') return `rtmp://${name}:${point.port}/live`;
  if (point.protocol === 'srt') return `srt://${name}:${point.port}?${new URLSearchParams({ streamid: point.id, passphrase: secret }).toString()}`;
  return `${httpOrigin}/whip/${point.id}`;
}

/** The path of the point's Blackmagic streaming XML (RTMP points only). */
export function streamingXmlPath(point: IngestPoint): string {
  return `/api/ingest-points/${point.id}/blackmagic-streaming.xml`;
}

export function encoderSettingsFor(point: IngestPoint, context: EncoderContext): IngestEncoderSettingsResponse {
  const encoders =
    point.protocol === 'whip' ? [obsWhip(point, context)] : point.protocol === 'srt' ? srtEncoders(point, context) : rtmpEncoders(point, context);
  return { ingestPointId: point.id, stageId: point.stageId, protocol: point.protocol, role: point.role, encoders };
}

/**
 * The Blackmagic streaming XML (the format of the Web Presenter manual's "Blackmagic Streaming
 * XML" and ATEM Software Control's Streaming.xml): one service with this server and the stream
 * key, and one quality profile whose configs (picked by the device's video mode) all send a
 * keyframe a second. No blank lines: the Web Presenter's Ethernet protocol refuses them.
 */
export function blackmagicStreamingXml(point: IngestPoint, context: EncoderContext): string {
  const url = encoderUrl(point, context.host, context.httpOrigin, context.secret);
  const configs = (['1080p', '720p'] as const).flatMap((resolution) =>
    ([60, 30] as const).map((fps) => ({
      '@_resolution': resolution,
      '@_fps': String(fps),
      '@_codec': 'H264',
      bitrate: videoKbps(context, resolution, fps) * 1000,
      'audio-bitrate': AUDIO_KBPS * 1000,
      'keyframe-interval': KEYFRAME_INTERVAL_SECONDS,
    })),
  );
  const document = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    streaming: {
      service: {
        name: serviceName(point, context),
        key: context.secret,
        servers: { server: { name: 'Estrad', url } },
        profiles: { '@_default': 'Estrad', profile: { name: 'Estrad', config: configs } },
      },
    },
  };
  return new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, indentBy: '  ' }).build(document);
}

/** How the device lists the service: the stage, the point's label and its role, so main and backup are told apart. */
function serviceName(point: IngestPoint, { stageTitle }: EncoderContext): string {
  return ['Estrad', stageTitle, point.label, `(${point.role})`].filter((part) => part !== '').join(' ');
}

function obsWhip(point: IngestPoint, context: EncoderContext): EncoderSettings {
  return {
    encoder: 'obs',
    product: 'OBS Studio 30 or later',
    where: 'Settings → Stream; Settings → Output (Output Mode: Advanced) → Streaming; Settings → Audio',
    settings: [
      setting('service', 'Service', 'WHIP'),
      setting('server', 'Server', encoderUrl(point, context.host, context.httpOrigin, context.secret)),
      setting('bearerToken', 'Bearer Token', context.secret, true),
      ...obsEncoding(context),
      // OBS sends WHIP audio as Opus by itself.
      setting('audioCodec', 'Audio Encoder', 'Opus'),
      ...audio(),
    ],
    streamingXmlUrl: null,
  };
}

/** OBS with a custom server: SRT's URL holds everything, RTMP's key goes into Stream Key. */
function obsCustom(url: string, streamKey: string, context: EncoderContext): EncoderSettings {
  return {
    encoder: 'obs',
    product: 'OBS Studio 28 or later',
    where: 'Settings → Stream (Service: Custom…); Settings → Output (Output Mode: Advanced) → Streaming; Settings → Audio',
    settings: [
      setting('service', 'Service', 'Custom…'),
      setting('server', 'Server', url, url.startsWith('srt:')),
      ...(streamKey === '' ? [] : [setting('streamKey', 'Stream Key', streamKey, true)]),
      ...obsEncoding(context),
      setting('audioCodec', 'Audio Encoder', 'AAC'),
      ...audio(),
    ],
    streamingXmlUrl: null,
  };
}

function srtEncoders(point: IngestPoint, context: EncoderContext): EncoderSettings[] {
  const url = encoderUrl(point, context.host, context.httpOrigin, context.secret);
  const vmix: EncoderSettings = {
    encoder: 'vmix',
    product: 'vMix 24 or later',
    where: 'Settings → Outputs / NDI / SRT → the output’s cog → SRT',
    settings: [
      setting('srtUrl', 'SRT URL (caller)', url, true),
      setting('srtMode', 'Type', 'Caller'),
      setting('host', 'Hostname', context.host),
      setting('port', 'Port', String(point.port)),
      setting('streamId', 'Stream ID', point.id),
      setting('passphrase', 'Passphrase', context.secret, true),
      setting('keyLength', 'Key Length', String(SRT_KEY_LENGTH)),
      setting('latency', 'Latency (ms)', String(SRT_LATENCY_MS)),
      ...vmixQuality(context),
    ],
    streamingXmlUrl: null,
  };
  return [vmix, obsCustom(url, '', context)];
}

function rtmpEncoders(point: IngestPoint, context: EncoderContext): EncoderSettings[] {
  const url = encoderUrl(point, context.host, context.httpOrigin, context.secret);
  const blackmagic: EncoderSettings = {
    encoder: 'blackmagic',
    product: 'Blackmagic Web Presenter, ATEM Mini Pro and Extreme',
    where: 'Import the streaming XML (Web Presenter Setup; ATEM Software Control → Output → Live Stream), then choose its service',
    settings: [
      setting('server', 'Server', url),
      setting('streamKey', 'Key', context.secret, true),
      setting('videoBitrate', 'Bitrate, 1080p30 (Kbps)', String(videoKbps(context, '1080p', 30))),
      setting('keyframeInterval', 'Keyframe Interval (s)', String(KEYFRAME_INTERVAL_SECONDS)),
    ],
    streamingXmlUrl: streamingXmlPath(point),
  };
  const vmix: EncoderSettings = {
    encoder: 'vmix',
    product: 'vMix 24 or later',
    where: 'Stream → Destination: Custom RTMP Server; its Quality settings',
    settings: [
      setting('service', 'Destination', 'Custom RTMP Server'),
      setting('server', 'URL', url),
      setting('streamKey', 'Stream Name or Key', context.secret, true),
      ...vmixQuality(context),
    ],
    streamingXmlUrl: null,
  };
  return [blackmagic, vmix, obsCustom(url, context.secret, context)];
}

/** OBS's Output → Streaming settings with any H.264 encoder (x264, NVENC, QuickSync, Apple VT). */
function obsEncoding(context: EncoderContext): EncoderSetting[] {
  return [
    setting('videoCodec', 'Video Encoder', 'H.264 (x264 or hardware)'),
    setting('rateControl', 'Rate Control', 'CBR'),
    setting('videoBitrate', 'Bitrate (Kbps)', String(videoKbps(context, '1080p', 30))),
    setting('keyframeInterval', 'Keyframe Interval (s)', String(KEYFRAME_INTERVAL_SECONDS)),
    setting('profile', 'Profile', 'main'),
    // B-frames stutter in browsers and are transcoded away at a cost: x264 takes them in its options.
    setting('bFrames', 'B-frames (hardware: Max B-frames; x264 Options: bframes=0)', '0'),
    setting('tune', 'Tune (x264)', 'zerolatency'),
  ];
}

/** vMix's stream quality: Baseline has no B-frames whichever encoder vMix picks. */
function vmixQuality(context: EncoderContext): EncoderSetting[] {
  return [
    setting('videoCodec', 'Encoder', 'H264'),
    setting('profile', 'Profile', 'Baseline'),
    setting('videoBitrate', 'Bitrate (Kbps)', String(videoKbps(context, '1080p', 30))),
    setting('keyframeInterval', 'Keyframe Interval (s)', String(KEYFRAME_INTERVAL_SECONDS)),
    setting('audioCodec', 'Audio', 'AAC'),
    ...audio(),
  ];
}

function audio(): EncoderSetting[] {
  return [setting('audioBitrate', 'Audio Bitrate (Kbps)', String(AUDIO_KBPS)), setting('sampleRate', 'Sample Rate', '48 kHz')];
}

function setting(name: EncoderSettingName, label: string, value: string, secret = false): EncoderSetting {
  return { setting: name, label, value, secret };
}

function videoKbps({ maxBitrateKbps }: EncoderContext, resolution: keyof typeof VIDEO_KBPS, fps: 30 | 60): number {
  return Math.min(maxBitrateKbps, VIDEO_KBPS[resolution][fps]);
}

function bracketedHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
