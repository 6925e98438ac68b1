/**
 * On the speak page: what is on air (the program return, a small muted picture) and the control
 * room's voice (talk-back), with a notice while it talks. The live region stays in the page, so
 * screen readers announce the notice as it appears.
 */
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../i18n/language';
import { setVideoTrack } from '../live/playback';
import './speakerReturn.css';

export function ProgramReturn({ track }: { track: MediaStreamTrack | undefined }) {
  const videoRef = useRef<HTMLVideoElement>(null);
  useEffect(() => void setVideoTrack(videoRef.current!, track ?? null), [track]);
  return (
    <figure id="program-return" class="program-return" data-picture={track ? 'on' : 'off'}>
      <figcaption>{t('speak.programReturn')}</figcaption>
      <div class="player program-return-player" data-picture={track ? 'on' : 'off'}>
        {/* Muted: the program's sound would reach the speaker's microphone and go back on air. */}
        <video ref={videoRef} class="player-video" playsInline autoplay muted aria-label={t('speak.programReturnLabel')} />
        {!track && <p class="player-notice">{t('speak.programReturnNone')}</p>}
      </div>
    </figure>
  );
}

export function TalkbackNotice({ tracks }: { tracks: MediaStreamTrack[] }) {
  return (
    <>
      <p id="talkback-notice" class="talkback-notice" role="status" aria-live="polite" data-talking={String(tracks.length > 0)}>
        {tracks.length > 0 ? t('speak.talkback') : ''}
      </p>
      {tracks.map((track) => (
        <TalkbackAudio key={track.id} track={track} />
      ))}
    </>
  );
}

/** Plays a talk-back microphone (the speaker's page, and colleagues' in /control). */
export function TalkbackAudio({ track }: { track: MediaStreamTrack }) {
  const audioRef = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    const audio = audioRef.current!;
    audio.srcObject = new MediaStream([track]);
    // The user has clicked on the page (Go live, Sign in), so it may play sound.
    void audio.play().catch(() => undefined);
    return () => (audio.srcObject = null);
  }, [track]);
  return <audio ref={audioRef} class="talkback-audio" />;
}
