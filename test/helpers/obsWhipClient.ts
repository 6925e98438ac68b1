/**
 * A WHIP publisher made as OBS Studio makes its own (plugins/obs-webrtc/whip-output.cpp, on
 * libdatachannel, which node-datachannel is): audio on mid 0 with Opus on PT 111, video on mid 1
 * with H.264 on PT 96 (libdatachannel's addH264Codec: profile-level-id 42e01f), one SSRC each,
 * the offer taken right after setLocalDescription() and never trickled. The media is a real
 * encode: ffmpeg's test pattern as H.264 access units, packetised by libdatachannel's
 * H264RtpPacketizer as OBS's are, and Opus as RTP forwarded into the audio track.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { Audio, H264RtpPacketizer, PeerConnection, RtcpNackResponder, RtcpSrReporter, RtpPacketizationConfig, type Track, Video } from 'node-datachannel';
import { waitFor } from './server.js';
import { ENCODER_FRAME_RATE, ENCODER_QUIET, type EncoderSettings, encoderInputs, x264Options } from './testEncoder.js';
import { TEST_FFMPEG } from './mediaTools.js';

const AUDIO_PT = 111;
const VIDEO_PT = 96;
const VIDEO_CLOCK = 90_000;
/** OBS's MAX_VIDEO_FRAGMENT_SIZE. */
const MAX_FRAGMENT = 1200;
/** An H.264 access unit delimiter (NAL type 9) after a 4-byte start code: where ffmpeg's next frame begins. */
const ACCESS_UNIT = Buffer.from([0, 0, 0, 1, 9]);

export interface WhipAnswer {
  status: number;
  location: string | null;
  contentType: string | null;
  body: string;
}

export class ObsWhipClient {
  readonly pc: PeerConnection;
  private readonly audio: Track;
  private readonly video: Track;
  private readonly videoConfig: RtpPacketizationConfig;
  private readonly baseSsrc = 100_000 + Math.floor(Math.random() * 1_000_000_000);
  private encoder: ChildProcess | undefined;
  private audioSocket: Socket | undefined;
  /** Where DELETE goes, absolute, once POST answered 201. */
  resourceUrl: string | undefined;

  constructor() {
    this.pc = new PeerConnection('obs-whip', { iceServers: [] });
    const streamId = randomName();
    const cname = randomName();

    const audio = new Audio('0', 'SendOnly');
    audio.addOpusCodec(AUDIO_PT);
    audio.addSSRC(this.baseSsrc, cname, streamId, `${streamId}-audio`);
    this.audio = this.pc.addTrack(audio);

    const video = new Video('1', 'SendOnly');
    video.addSSRC(this.baseSsrc + 1, cname, streamId, `${streamId}-video`);
    video.addH264Codec(VIDEO_PT);
    this.video = this.pc.addTrack(video);
    this.videoConfig = new RtpPacketizationConfig(this.baseSsrc + 1, cname, VIDEO_PT, VIDEO_CLOCK);
    const packetizer = new H264RtpPacketizer('StartSequence', this.videoConfig, MAX_FRAGMENT);
    packetizer.addToChain(new RtcpSrReporter(this.videoConfig));
    packetizer.addToChain(new RtcpNackResponder());
    this.video.setMediaHandler(packetizer);
    this.pc.setLocalDescription();
  }

  /** The offer as OBS POSTs it: whatever the description holds right after setLocalDescription(). */
  offer(): string {
    const description = this.pc.localDescription();
    if (!description) throw new Error('libdatachannel made no offer');
    return description.sdp;
  }

  /** POSTs the offer; on 201 applies the answer, as OBS's Connect() does. */
  async publish(endpoint: string, token: string, sdp = this.offer()): Promise<WhipAnswer> {
    const response = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/sdp', authorization: `Bearer ${token}` }, body: sdp });
    const answer = {
      status: response.status,
      location: response.headers.get('location'),
      contentType: response.headers.get('content-type'),
      body: await response.text(),
    };
    if (response.status === 201 && answer.location) {
      this.resourceUrl = new URL(answer.location, endpoint).href;
      this.pc.setRemoteDescription(answer.body, 'answer');
    }
    return answer;
  }

  /** Waits for ICE and DTLS, then sends the encode until stop(). */
  async startMedia(): Promise<void> {
    await waitFor(
      () => this.video.isOpen() && this.audio.isOpen(),
      20_000,
      () => `the OBS-like client did not connect: state ${this.pc.state()}, ICE ${this.pc.iceState()}`,
    );
    this.audioSocket = createSocket('udp4');
    this.audioSocket.on('message', (packet) => this.audio.isOpen() && this.audio.sendMessageBinary(packet));
    await new Promise<void>((resolve) => this.audioSocket!.bind(0, '127.0.0.1', resolve));
    const audioPort = this.audioSocket.address().port;
    this.encoder = spawn(TEST_FFMPEG, encoderArgs(audioPort, this.baseSsrc), { stdio: ['ignore', 'pipe', 'ignore'] });
    let pending = Buffer.alloc(0);
    let frames = 0;
    this.encoder.stdout!.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const next = pending.indexOf(ACCESS_UNIT, 1);
        if (next < 0) break;
        this.sendFrame(pending.subarray(0, next), frames++);
        pending = pending.subarray(next);
      }
    });
  }

  /** DELETE on the resource, as OBS's SendDelete() does when streaming stops. */
  async deleteSession(token: string): Promise<number> {
    if (!this.resourceUrl) throw new Error('no WHIP session to delete');
    const response = await fetch(this.resourceUrl, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
    return response.status;
  }

  /** The encoder dies, the connection stays: what a crashed encoder or a cut cable in front of OBS looks like. */
  stopEncoder(): void {
    this.encoder?.kill('SIGKILL');
  }

  /** Idempotent: tests stop a client themselves and again after all. */
  stop(): void {
    this.encoder?.kill('SIGKILL');
    this.audioSocket?.close();
    this.audioSocket = undefined;
    this.pc.close();
  }

  private sendFrame(frame: Buffer, index: number): void {
    if (!this.video.isOpen()) return;
    // OBS advances the timestamp by each packet's duration; at a constant frame rate that is this.
    this.videoConfig.timestamp = (index * VIDEO_CLOCK) / ENCODER_FRAME_RATE;
    this.video.sendMessageBinary(frame);
  }
}

/** OBS's x264 for WebRTC (baseline, no B-frames, a keyframe a second): video as H.264 on stdout, Opus as RTP to the audio port. */
function encoderArgs(audioPort: number, audioSsrc: number): string[] {
  const settings: EncoderSettings = { width: 640, height: 360, profile: 'baseline', zeroLatency: true };
  return [
    ...ENCODER_QUIET,
    ...encoderInputs(settings),
    ...['-map', '0:v', ...x264Options(settings), '-aud', '1', '-f', 'h264', 'pipe:1'],
    ...['-map', '1:a', '-c:a', 'libopus', '-b:a', '64k', '-ac', '2', '-payload_type', String(AUDIO_PT), '-ssrc', String(audioSsrc)],
    ...['-f', 'rtp', `rtp://127.0.0.1:${audioPort}`],
  ];
}

function randomName(): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  return Array.from({ length: 16 }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
}
