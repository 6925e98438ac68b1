/**
 * The green room of one stage in /control: each invited speaker with a live preview (the lowest
 * simulcast layer), their sound level, a way to listen, and the button that takes them to air or
 * back. The list is pushed by the server; the page's own notice says what an action did.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { SpeakerPlacement } from '../../../shared/protocol';
import { t } from '../i18n/language';
import type { MonitoredSpeaker, MonitorView } from '../live/monitor';
import { setVideoTrack } from '../live/playback';
import { LevelMeter } from './LevelMeter';
import './backstage.css';

/** Takes a speaker to air or backstage (the page runs it, and says what happened). */
export type PlaceSpeaker = (inviteId: string, placement: SpeakerPlacement, name: string) => void;

export function BackstagePanel({ stageId, view, onPlace }: { stageId: string; view: MonitorView; onPlace: PlaceSpeaker }) {
  const headingId = `backstage-${stageId}`;
  return (
    <section class="backstage" aria-labelledby={headingId} data-backstage={stageId} data-status={view.status}>
      <h4 id={headingId}>{t('backstage.heading')}</h4>
      <p class="meta">{t('backstage.intro')}</p>
      {view.status === 'joined' && view.speakers.length === 0 && <p>{t('backstage.empty')}</p>}
      <ul class="backstage-list">
        {view.speakers.map((speaker) => (
          <SpeakerCard key={speaker.inviteId} speaker={speaker} onPlace={onPlace} />
        ))}
      </ul>
    </section>
  );
}

function SpeakerCard({ speaker, onPlace }: { speaker: MonitoredSpeaker; onPlace: PlaceSpeaker }) {
  const name = speaker.label || t('backstage.unnamed');
  const onAir = speaker.placement === 'on-air';
  const [listening, setListening] = useState(false);
  const videoRef = useRef<HTMLVideoElement>(null);
  const audioRef = useRef<HTMLAudioElement>(null);
  useEffect(() => void setVideoTrack(videoRef.current!, speaker.video ?? null), [speaker.video]);
  useEffect(() => {
    // Played (muted until the technician listens): Chromium feeds a remote track to the level meter only while an element plays it.
    const audio = audioRef.current!;
    audio.srcObject = speaker.audio ? new MediaStream([speaker.audio]) : null;
    if (speaker.audio) void audio.play().catch(() => undefined);
  }, [speaker.audio]);
  useEffect(() => {
    audioRef.current!.muted = !listening;
  }, [listening]);
  return (
    <li class="backstage-speaker" data-invite={speaker.inviteId} data-placement={speaker.placement}>
      <h5>
        {name}{' '}
        <span class="badge" data-live={String(onAir)}>
          {onAir ? t('backstage.placementOnAir') : t('backstage.placementBackstage')}
        </span>{' '}
        {!speaker.connected && <span class="meta">{t('backstage.notConnected')}</span>}
      </h5>
      <div class="player backstage-preview" data-picture={speaker.video ? 'on' : 'off'}>
        <video ref={videoRef} class="player-video" playsInline autoplay muted aria-label={t('backstage.preview', { speaker: name })} />
        {!speaker.video && <p class="player-notice">{t('backstage.noVideo')}</p>}
      </div>
      <audio ref={audioRef} muted />
      {speaker.audio && <LevelMeter id={`level-${speaker.inviteId}`} label={t('backstage.level', { speaker: name })} track={speaker.audio} />}
      <p class="control-inline">
        <button class="button" type="button" aria-pressed={listening} disabled={!speaker.audio} onClick={() => setListening(!listening)}>
          {t('backstage.listen', { speaker: name })}
        </button>
        <button class="button button-primary backstage-take" type="button" onClick={() => onPlace(speaker.inviteId, onAir ? 'backstage' : 'on-air', name)}>
          {onAir ? t('backstage.sendBackstage', { speaker: name }) : t('backstage.takeToAir', { speaker: name })}
        </button>
      </p>
    </li>
  );
}
