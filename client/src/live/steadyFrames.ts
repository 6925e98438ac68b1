/**
 * Video for sending that never goes quiet. A viewer or the recorder that starts receiving later,
 * or switches simulcast layer, needs a keyframe, and the browser's encoder can make one only from
 * a new frame. Sources that deliver frames only when their picture changes (a canvas with a still
 * slide, some screen and virtual cameras) leave the encoder nothing to answer with, so everyone
 * who was not there when the picture last changed sees black, or a frozen picture after a camera
 * switch. This repeats the source's last frame while it sends none.
 *
 * Uses Chromium's MediaStreamTrackProcessor and MediaStreamTrackGenerator; where a browser has
 * neither, the source track is sent as it is.
 */

/** How long the source may stay quiet before its last frame is sent again. */
const REPEAT_AFTER_MS = 500;

interface TrackProcessor {
  readonly readable: ReadableStream<VideoFrame>;
}
interface TrackGenerator extends MediaStreamTrack {
  readonly writable: WritableStream<VideoFrame>;
}
interface FrameStreamApi {
  MediaStreamTrackProcessor?: new (init: { track: MediaStreamTrack }) => TrackProcessor;
  MediaStreamTrackGenerator?: new (init: { kind: 'video' }) => TrackGenerator;
}

const steadyCopies = new WeakMap<MediaStreamTrack, MediaStreamTrack>();

/** The track to send for this video source track: the same copy each time it is asked for. */
export function steadyVideo(source: MediaStreamTrack): MediaStreamTrack {
  let copy = steadyCopies.get(source);
  if (!copy) {
    copy = createSteadyCopy(source);
    steadyCopies.set(source, copy);
  }
  return copy;
}

function createSteadyCopy(source: MediaStreamTrack): MediaStreamTrack {
  const { MediaStreamTrackProcessor, MediaStreamTrackGenerator } = globalThis as FrameStreamApi;
  if (source.kind !== 'video' || !MediaStreamTrackProcessor || !MediaStreamTrackGenerator) return source;
  const generator = new MediaStreamTrackGenerator({ kind: 'video' });
  generator.contentHint = source.contentHint;
  const writer = generator.writable.getWriter();
  const reader = new MediaStreamTrackProcessor({ track: source }).readable.getReader();
  let last: VideoFrame | undefined;
  let lastAt = 0;

  const send = (frame: VideoFrame) => {
    writer.write(frame).catch(() => frame.close());
  };
  const remember = (frame: VideoFrame) => {
    last?.close();
    last = frame.clone();
    lastAt = performance.now();
  };
  const repeater = setInterval(() => {
    if (!last || performance.now() - lastAt < REPEAT_AFTER_MS) return;
    const elapsedUs = Math.round((performance.now() - lastAt) * 1000);
    const again = new VideoFrame(last, { timestamp: last.timestamp + elapsedUs });
    remember(again);
    send(again);
  }, REPEAT_AFTER_MS / 2);

  void (async () => {
    try {
      for (;;) {
        const { value: frame, done } = await reader.read();
        if (done) break;
        remember(frame);
        send(frame);
      }
    } finally {
      // The source ended (stopped, unplugged, "Stop sharing"): so does the copy.
      clearInterval(repeater);
      last?.close();
      last = undefined;
      generator.stop();
    }
  })().catch(() => undefined);
  return generator;
}
