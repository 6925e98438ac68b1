/**
 * Program and preview in /control: what viewers and the recording get now (the program), the
 * next one being prepared (the preview: a main picture and an optional inset), and one Take that
 * switches. The pictures are the monitor's previews, so they cost the server little.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { MediaSource, Program } from '../../../shared/protocol';
import { t } from '../i18n/language';
import type { MonitoredFeed, MonitorView } from '../live/monitor';
import { setVideoTrack } from '../live/playback';
import './backstage.css';

const SOURCE_KEYS = { camera: 'program.source.camera', screen: 'program.source.screen' } as const;

export function ProgramPanel({ stageId, view, onTake }: { stageId: string; view: MonitorView; onTake: (program: Program) => void }) {
  const [chosen, setChosen] = useState<Program>(view.program);
  const onAirIds = new Set(view.feeds.map((feed) => feed.producer.producerId));
  // A feed that left the air has left the preview too.
  const preview: Program = {
    main: chosen.main !== null && onAirIds.has(chosen.main) ? chosen.main : null,
    inset: chosen.inset !== null && onAirIds.has(chosen.inset) && chosen.inset !== chosen.main ? chosen.inset : null,
  };
  const unchanged = preview.main === view.program.main && preview.inset === view.program.inset;
  const headingId = `program-${stageId}`;
  return (
    <section class="program" aria-labelledby={headingId} data-program={stageId}>
      <h4 id={headingId}>{t('program.heading')}</h4>
      <p class="meta">{t('program.intro')}</p>
      <div class="program-screens">
        <ProgramScreen id={`${stageId}-program`} label={t('program.program')} program={view.program} feeds={view.feeds} />
        <ProgramScreen id={`${stageId}-preview`} label={t('program.preview')} program={preview} feeds={view.feeds} />
      </div>
      <div class="program-choices">
        <FeedChoice
          name={`main-${stageId}`}
          legend={t('program.main')}
          none={t('program.automatic')}
          value={preview.main}
          feeds={view.feeds}
          onChange={(main) => setChosen({ main, inset: preview.inset === main ? null : preview.inset })}
        />
        <FeedChoice
          name={`inset-${stageId}`}
          legend={t('program.inset')}
          none={t('program.noInset')}
          value={preview.inset}
          feeds={view.feeds.filter((feed) => feed.producer.producerId !== preview.main)}
          onChange={(inset) => setChosen({ main: preview.main, inset })}
        />
      </div>
      <button class="button button-primary button-large program-take" type="button" disabled={unchanged} onClick={() => onTake(preview)}>
        {t('program.take')}
      </button>
    </section>
  );
}

function FeedChoice(props: {
  name: string;
  legend: string;
  none: string;
  value: string | null;
  feeds: MonitoredFeed[];
  onChange: (producerId: string | null) => void;
}) {
  const { name, legend, none, value, feeds, onChange } = props;
  return (
    <fieldset class="program-choice">
      <legend>{legend}</legend>
      <label>
        <input type="radio" name={name} checked={value === null} onChange={() => onChange(null)} /> {none}
      </label>
      {feeds.map((feed, index) => (
        <label key={feed.producer.producerId}>
          <input
            type="radio"
            name={name}
            value={feed.producer.producerId}
            checked={value === feed.producer.producerId}
            onChange={() => onChange(feed.producer.producerId)}
          />{' '}
          {feedName(feed, index)}
        </label>
      ))}
    </fieldset>
  );
}

/** The program or the preview as viewers would see it: the main picture with the inset over it. */
function ProgramScreen({ id, label, program, feeds }: { id: string; label: string; program: Program; feeds: MonitoredFeed[] }) {
  const main = feeds.find((feed) => feed.producer.producerId === program.main) ?? automaticMain(feeds);
  const inset = feeds.find((feed) => feed.producer.producerId === program.inset && feed !== main);
  const mainRef = useRef<HTMLVideoElement>(null);
  const insetRef = useRef<HTMLVideoElement>(null);
  useEffect(() => void setVideoTrack(mainRef.current!, main?.track ?? null), [main?.track]);
  useEffect(() => void setVideoTrack(insetRef.current!, inset?.track ?? null), [inset?.track]);
  const captionId = `${id}-caption`;
  return (
    <figure class="program-screen" data-screen={id} data-main={main?.producer.producerId ?? ''} data-inset={inset?.producer.producerId ?? ''}>
      <figcaption id={captionId}>{label}</figcaption>
      <div class="player" data-picture={main ? 'on' : 'off'}>
        <video ref={mainRef} class="player-video" playsInline autoplay muted aria-labelledby={captionId} />
        <video ref={insetRef} class="player-inset" playsInline autoplay muted hidden={!inset} aria-labelledby={captionId} />
        {!main && <p class="player-notice">{t('program.nothingOnAir')}</p>}
      </div>
    </figure>
  );
}

/** What viewers see without a Take: the newest screen share, else the newest camera (as the viewer and the recorder choose). */
function automaticMain(feeds: MonitoredFeed[]): MonitoredFeed | undefined {
  const sending = feeds.filter((feed) => !feed.producer.paused);
  const newest = (source: MediaSource) => sending.filter((feed) => feed.producer.source === source).at(-1);
  return newest('screen') ?? newest('camera');
}

function feedName(feed: MonitoredFeed, index: number): string {
  const source = feed.producer.source === 'screen' ? t(SOURCE_KEYS.screen) : t(SOURCE_KEYS.camera);
  return feed.speakerLabel ? t('program.feedOf', { name: feed.speakerLabel, source }) : t('program.feed', { number: index + 1, source });
}
