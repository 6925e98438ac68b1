/** A sound level meter for one audio track: its loudness (RMS, 0–1) from the Web Audio API, silent while the track is disabled. */
import { useEffect, useRef } from 'preact/hooks';

const LEVEL_POLL_MS = 100;

export function LevelMeter({ id, label, track }: { id: string; label: string; track: MediaStreamTrack }) {
  const meterRef = useRef<HTMLMeterElement>(null);
  useEffect(() => {
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    analyser.fftSize = 1024;
    context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    const timer = setInterval(() => {
      analyser.getFloatTimeDomainData(samples);
      const rms = Math.sqrt(samples.reduce((sum, sample) => sum + sample * sample, 0) / samples.length);
      // Speech sits around 0.05–0.3 RMS; scaled so a normal voice fills most of the meter.
      const level = track.enabled ? Math.min(1, rms * 3) : 0;
      if (meterRef.current) meterRef.current.value = level;
    }, LEVEL_POLL_MS);
    return () => {
      clearInterval(timer);
      void context.close();
    };
  }, [track]);
  return (
    <div class="field mic-level">
      <label for={id}>{label}</label>
      <meter id={id} min={0} max={1} low={0.1} high={0.9} optimum={0.5} value={0} ref={meterRef} />
    </div>
  );
}
