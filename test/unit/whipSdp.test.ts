import { readFileSync } from 'node:fs';
import { parse } from 'sdp-transform';
import { describe, expect, it } from 'vitest';
import type { RtpCapabilitiesJson, TransportOptions } from '../../shared/protocol.js';
import { AppError } from '../../server/errors.js';
import { readWhipOffer, writeWhipAnswer } from '../../server/ingest/whipSdp.js';

/** What a stage router (server/media/codecs.ts on mediasoup) reports, as the WHIP code gets it from Stage.join. */
const capabilities = JSON.parse(readFileSync(new URL('./fixtures/router-rtp-capabilities.json', import.meta.url), 'utf8')) as RtpCapabilitiesJson;

/**
 * OBS Studio's offer, byte for byte as libdatachannel (node-datachannel 0.33) writes it for
 * whip-output.cpp's tracks: Opus 111 on mid 0, H.264 96 on mid 1, one SSRC each, gathered at once.
 */
const OBS_OFFER = [
  'v=0',
  'o=rtc 3521299982 0 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'a=group:BUNDLE 0 1',
  'a=group:LS 0 1',
  'a=msid-semantic:WMS *',
  'a=ice-options:ice2,trickle',
  'a=fingerprint:sha-256 E5:B9:6E:FA:0E:39:6F:B5:B7:CE:5B:09:93:ED:7E:73:25:A5:D1:43:79:0C:07:CB:45:01:A5:10:AE:9F:5B:1F',
  'm=audio 44984 UDP/TLS/RTP/SAVPF 111',
  'c=IN IP4 192.0.2.2',
  'a=mid:0',
  'a=sendonly',
  'a=ssrc:1234 cname:cnameAAAAAAAAAAA',
  'a=ssrc:1234 msid:streamBBBBBBBBBB streamBBBBBBBBBB-audio',
  'a=msid:streamBBBBBBBBBB streamBBBBBBBBBB-audio',
  'a=rtcp-mux',
  'a=rtpmap:111 opus/48000/2',
  'a=fmtp:111 minptime=10;maxaveragebitrate=96000;stereo=1;sprop-stereo=1;useinbandfec=1',
  'a=setup:actpass',
  'a=ice-ufrag:Zlb7',
  'a=ice-pwd:GEvczpoW/3kIVNuYlw3oG9',
  'a=candidate:1 1 UDP 2114977791 192.0.2.2 44984 typ host',
  'a=end-of-candidates',
  'm=video 44984 UDP/TLS/RTP/SAVPF 96',
  'c=IN IP4 192.0.2.2',
  'a=mid:1',
  'a=sendonly',
  'a=ssrc:1235 cname:cnameAAAAAAAAAAA',
  'a=ssrc:1235 msid:streamBBBBBBBBBB streamBBBBBBBBBB-video',
  'a=msid:streamBBBBBBBBBB streamBBBBBBBBBB-video',
  'a=rtcp-mux',
  'a=rtpmap:96 H264/90000',
  'a=rtcp-fb:96 nack',
  'a=rtcp-fb:96 nack pli',
  'a=rtcp-fb:96 goog-remb',
  'a=fmtp:96 profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1',
  'a=setup:actpass',
  'a=ice-ufrag:Zlb7',
  'a=ice-pwd:GEvczpoW/3kIVNuYlw3oG9',
  '',
].join('\r\n');

/** OBS 32's simulcast: the video section offers three rids, best first, told apart by rtp-stream-id. */
function simulcastOffer(rids: string[]): string {
  return OBS_OFFER.replace(
    'a=rtcp-fb:96 nack\r\n',
    `a=rtcp-fb:96 nack\r\na=extmap:4 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n${rids.map((rid) => `a=rid:${rid}\r\n`).join('')}a=simulcast:send ${rids
      .map((rid) => rid.split(' ')[0])
      .join(';')}\r\n`,
  ).replace(/a=ssrc:1235 [^\r]*\r\n/g, '');
}

const transport: TransportOptions = {
  id: 'transport-1',
  iceParameters: { usernameFragment: 'server-ufrag', password: 'server-password', iceLite: true },
  iceCandidates: [
    { foundation: 'udpcandidate', priority: 1076302079, ip: '127.0.0.1', protocol: 'udp', port: 40123, type: 'host' },
    { foundation: 'tcpcandidate', priority: 1076276479, ip: '127.0.0.1', protocol: 'tcp', port: 40124, type: 'host', tcpType: 'passive' },
  ],
  dtlsParameters: {
    role: 'auto',
    fingerprints: [
      { algorithm: 'sha-1', value: '00:11' },
      { algorithm: 'sha-256', value: 'AA:BB:CC' },
    ],
  },
};

function refusal(offer: string): AppError {
  try {
    readWhipOffer(offer, capabilities);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('the offer was accepted');
}

describe('WHIP offers and answers', () => {
  it("reads OBS's offer into an Opus and an H.264 producer with its SSRCs, payload types and profile", () => {
    const offer = readWhipOffer(OBS_OFFER, capabilities);
    expect(offer.dtlsParameters).toEqual({
      role: 'client',
      fingerprints: [{ algorithm: 'sha-256', value: 'E5:B9:6E:FA:0E:39:6F:B5:B7:CE:5B:09:93:ED:7E:73:25:A5:D1:43:79:0C:07:CB:45:01:A5:10:AE:9F:5B:1F' }],
    });
    expect(offer.tracks.map(({ mid, kind, rtpParameters }) => ({ mid, kind, codec: rtpParameters.codecs[0], encodings: rtpParameters.encodings }))).toEqual([
      {
        mid: '0',
        kind: 'audio',
        codec: expect.objectContaining({ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }),
        encodings: [{ ssrc: 1234 }],
      },
      {
        mid: '1',
        kind: 'video',
        codec: expect.objectContaining({
          mimeType: 'video/H264',
          payloadType: 96,
          parameters: { 'profile-level-id': '42e01f', 'packetization-mode': 1, 'level-asymmetry-allowed': 1 },
          rtcpFeedback: [
            { type: 'nack', parameter: '' },
            { type: 'nack', parameter: 'pli' },
            { type: 'goog-remb', parameter: '' },
          ],
        }),
        encodings: [{ ssrc: 1235 }],
      },
    ]);
    expect(offer.tracks[1]!.rtpParameters.rtcp).toEqual({ cname: 'cnameAAAAAAAAAAA', reducedSize: false, mux: true });
  });

  it('answers ice-lite, DTLS passive, with every candidate and the offered payload types, receive only', () => {
    const answer = parse(writeWhipAnswer(readWhipOffer(OBS_OFFER, capabilities), transport, '42'));
    expect(answer.icelite).toBe('ice-lite');
    expect(answer.fingerprint).toEqual({ type: 'sha-256', hash: 'AA:BB:CC' });
    expect(answer.groups).toEqual([{ type: 'BUNDLE', mids: '0 1' }]);
    expect(
      answer.media.map((media) => ({
        mid: String(media.mid),
        payloads: String(media.payloads),
        direction: media.direction,
        setup: media.setup,
        ufrag: media.iceUfrag,
        candidates: media.candidates?.map((candidate) => `${candidate.transport} ${candidate.port}${candidate.tcptype ? ` ${candidate.tcptype}` : ''}`),
        endOfCandidates: media.endOfCandidates,
        rtcpMux: media.rtcpMux,
        rtpmap: media.rtp.map((rtp) => `${rtp.payload} ${rtp.codec}/${rtp.rate}${rtp.encoding ? `/${rtp.encoding}` : ''}`),
      })),
    ).toEqual(
      [
        { mid: '0', payloads: '111', rtpmap: ['111 opus/48000/2'] },
        { mid: '1', payloads: '96', rtpmap: ['96 H264/90000'] },
      ].map((section) => ({
        ...section,
        direction: 'recvonly',
        setup: 'passive',
        ufrag: 'server-ufrag',
        candidates: ['udp 40123', 'tcp 40124 passive'],
        endOfCandidates: 'end-of-candidates',
        rtcpMux: 'rtcp-mux',
      })),
    );
  });

  it('takes H.264 over VP8 from a browser offer, with a profile the router has, and leaves out retransmission', () => {
    const browserOffer = OBS_OFFER.replace('m=video 44984 UDP/TLS/RTP/SAVPF 96', 'm=video 44984 UDP/TLS/RTP/SAVPF 100 101 102 96 97')
      .replace(
        'a=rtpmap:96 H264/90000',
        'a=rtpmap:100 VP8/90000\r\na=rtpmap:101 rtx/90000\r\na=fmtp:101 apt=100\r\na=rtpmap:102 H264/90000\r\na=fmtp:102 profile-level-id=42001f;packetization-mode=1;level-asymmetry-allowed=1\r\na=rtpmap:96 H264/90000',
      )
      .replace('a=ssrc:1235 cname', 'a=ssrc-group:FID 1235 1236\r\na=ssrc:1235 cname');
    const [, video] = readWhipOffer(browserOffer, capabilities).tracks;
    // 42001f is Baseline, which the router does not have; 42e01f (Constrained Baseline) it has.
    expect(video!.rtpParameters.codecs.map((codec) => codec.payloadType)).toEqual([96]);
    expect(video!.rtpParameters.encodings).toEqual([{ ssrc: 1235 }]);
  });

  it('reads simulcast rids lowest layer first, by max-width when given, else as the reverse of the preference order', () => {
    const [, byPreference] = readWhipOffer(simulcastOffer(['h send', 'm send', 'l send']), capabilities).tracks;
    expect(byPreference!.rtpParameters.encodings).toEqual([{ rid: 'l' }, { rid: 'm' }, { rid: 'h' }]);
    const [, byWidth] = readWhipOffer(simulcastOffer(['a send max-width=320', 'b send max-width=1280', 'c send max-width=640']), capabilities).tracks;
    expect(byWidth!.rtpParameters.encodings).toEqual([{ rid: 'a' }, { rid: 'c' }, { rid: 'b' }]);
    const answer = parse(writeWhipAnswer(readWhipOffer(simulcastOffer(['h send', 'm send', 'l send']), capabilities), transport, '1'));
    expect(answer.media[1]!.simulcast).toMatchObject({ dir1: 'recv', list1: 'l;m;h' });
  });

  it('refuses what is not an offer with invalid_payload, and media it cannot take with media_rejected, saying why', () => {
    expect(refusal('hello')).toMatchObject({ code: 'invalid_payload', message: expect.stringContaining('v=0') });
    expect(refusal(OBS_OFFER.replace(/a=fingerprint[^\r]*\r\n/, ''))).toMatchObject({
      code: 'invalid_payload',
      message: expect.stringContaining('fingerprint'),
    });
    expect(refusal(OBS_OFFER.replace(/a=rtcp-mux\r\n/g, ''))).toMatchObject({ code: 'media_rejected', message: expect.stringContaining('rtcp-mux') });
    expect(refusal(OBS_OFFER.replace('a=group:BUNDLE 0 1', 'a=group:BUNDLE 0'))).toMatchObject({
      code: 'media_rejected',
      message: expect.stringContaining('BUNDLE'),
    });
    expect(refusal(OBS_OFFER.replace('opus/48000/2', 'PCMU/8000').replace('H264/90000', 'H265/90000'))).toMatchObject({ code: 'media_rejected' });
    expect(refusal(OBS_OFFER.replace(/a=sendonly/g, 'a=recvonly'))).toMatchObject({ code: 'media_rejected', message: expect.stringContaining('sendonly') });
  });

  it('declines a second video section and keeps it in the answer with port 0', () => {
    const twoVideos = `${OBS_OFFER.replace('a=group:BUNDLE 0 1', 'a=group:BUNDLE 0 1 2')}${OBS_OFFER.slice(OBS_OFFER.indexOf('m=video')).replace('a=mid:1', 'a=mid:2').replace(/1235/g, '1237')}`;
    const offer = readWhipOffer(twoVideos, capabilities);
    expect(offer.tracks.map((track) => track.mid)).toEqual(['0', '1']);
    const answer = parse(writeWhipAnswer(offer, transport, '1'));
    expect(answer.media.map((media) => [String(media.mid), media.port])).toEqual([
      ['0', 40123],
      ['1', 40123],
      ['2', 0],
    ]);
    expect(answer.groups).toEqual([{ type: 'BUNDLE', mids: '0 1' }]);
  });
});
