import type { types } from 'mediasoup';
import type { MediaKind } from '../../shared/protocol.js';

/** The RTP a recorder will receive for one track, as an SDP describes it. */
export interface TappedTrack {
  kind: MediaKind;
  producerId: string;
  mimeType: string;
  payloadType: number;
  clockRate: number;
  channels?: number;
  /** fmtp parameters, e.g. H.264's packetization-mode and profile-level-id. */
  parameters: Record<string, string | number>;
  ssrc: number;
}

/** Where the recorder listens for a track: RTP on `port`, RTCP on `rtcpPort`. */
export interface TapDestination {
  port: number;
  rtcpPort: number;
}

/**
 * A copy of some of a stage's producers sent as plain RTP to a local recorder (ffmpeg). Consumers
 * start paused: the recorder must be listening before media flows, and its first packet should be
 * a keyframe, which `resume` then asks for.
 */
export class RecordingTap {
  private closed = false;

  constructor(
    private readonly legs: { track: TappedTrack; transport: types.PlainTransport; consumer: types.Consumer }[],
    private readonly onClose: () => void,
  ) {}

  get tracks(): TappedTrack[] {
    return this.legs.map((leg) => leg.track);
  }

  async connect(destinations: Map<string, TapDestination>): Promise<void> {
    for (const { track, transport } of this.legs) {
      const destination = destinations.get(track.producerId);
      if (!destination) throw new Error(`No destination for the ${track.kind} track of producer ${track.producerId}`);
      await transport.connect({ ip: '127.0.0.1', ...destination });
    }
  }

  async resume(): Promise<void> {
    // A track dropped meanwhile stays silent; the recorder's next run leaves it out.
    for (const { consumer } of this.legs) if (!consumer.closed) await consumer.resume();
    await this.requestKeyFrame();
  }

  /**
   * Browsers' encoders send keyframes only when asked, and a stream-copy HLS muxer cuts segments
   * only at keyframes: the recorder asks about once per segment.
   */
  async requestKeyFrame(): Promise<void> {
    for (const { consumer } of this.legs) {
      if (consumer.kind === 'video' && !consumer.closed) await consumer.requestKeyFrame().catch(() => undefined);
    }
  }

  /** The producer left the air: nothing of it reaches the recorder any more. */
  drop(producerId: string): void {
    for (const { track, consumer } of this.legs) if (track.producerId === producerId) consumer.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const { transport } of this.legs) transport.close();
    this.onClose();
  }
}

export async function openRecordingTap(
  router: types.Router,
  producerIds: string[],
  listenInfo: types.TransportListenInfo,
  appData: Record<string, unknown>,
  onClose: () => void,
): Promise<RecordingTap> {
  const legs = [];
  try {
    for (const producerId of producerIds) {
      const transport = await router.createPlainTransport({ listenInfo, rtcpMux: false, comedia: false, appData });
      const consumer = await transport.consume({ producerId, rtpCapabilities: router.rtpCapabilities, paused: true });
      legs.push({ transport, consumer, track: describeTrack(consumer) });
    }
  } catch (error) {
    for (const leg of legs) leg.transport.close();
    throw error;
  }
  return new RecordingTap(legs, onClose);
}

function describeTrack(consumer: types.Consumer): TappedTrack {
  const codec = consumer.rtpParameters.codecs[0];
  const ssrc = consumer.rtpParameters.encodings?.[0]?.ssrc;
  if (!codec || ssrc === undefined) throw new Error(`Consumer ${consumer.id} has no codec or SSRC to record`);
  return {
    kind: consumer.kind,
    producerId: consumer.producerId,
    mimeType: codec.mimeType,
    payloadType: codec.payloadType,
    clockRate: codec.clockRate,
    ...(codec.channels === undefined ? {} : { channels: codec.channels }),
    parameters: (codec.parameters ?? {}) as Record<string, string | number>,
    ssrc,
  };
}
