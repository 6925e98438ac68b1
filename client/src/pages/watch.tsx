/** `/watch/<stage>`: the live player with the stage, its event, what is on air now and next, and the audience's questions and polls. */
import '../styles.css';
import '../components/pages.css';
import { render } from 'preact';
import { LazyAudiencePanel } from '../components/LazyAudiencePanel';
import { Layout } from '../components/Layout';
import { MissingStage } from '../components/MissingStage';
import { activePlayer, LivePlayerView, openPlayerConnection, ShortcutList } from '../components/LivePlayerView';
import { nowAndNext } from '../components/programme';
import { loadStageInfo, programmeStage, stageInfo } from '../components/stageInfo';
import { speakersText } from '../components/talkText';
import { t, time } from '../i18n/language';
import type { Signalling } from '../signalling';
import { stageIdFromLocation } from './common';

function WatchPage({ stageId, signalling }: { stageId: string; signalling: Signalling }) {
  const info = stageInfo.value;
  const title = info.listing?.title ?? stageId;
  return (
    <Layout title={title} wide>
      <div class="stage-heading">
        <h1 id="stage-title" lang={info.event?.language}>
          {title}
        </h1>
        <StageBadge />
      </div>
      {info.event && (
        <p class="lead" lang={info.event.language}>
          <a href="/">{info.event.title}</a>
        </p>
      )}
      {info.unknown && <p class="status">{t('watch.unknownStage', { stage: stageId })}</p>}
      <LivePlayerView stageId={stageId} stageTitle={title} signalling={signalling} />
      <OnAir />
      <LazyAudiencePanel />
      <ShortcutList />
    </Layout>
  );
}

function StageBadge() {
  const stage = activePlayer.value?.stage.value ?? stageInfo.value.listing;
  return (
    <>
      <span id="live-badge" class="badge" data-live={String(stage?.live ?? false)}>
        {stage?.live ? t('home.live') : t('home.offAir')}
      </span>
      {stage && (
        <span id="viewer-count" class="meta">
          {t('home.viewers', { count: stage.viewers })}
        </span>
      )}
    </>
  );
}

/**
 * The talk on air now with its speakers, and what comes next: as the control room set them, while
 * it has a talk on air; else by the programme's planned times.
 */
function OnAir() {
  const info = stageInfo.value;
  const stage = programmeStage(info);
  if (!stage || !info.event) return null;
  const set = activePlayer.value?.programme.value;
  const { current, next } = set?.talk ? { current: set.talk, next: set.next ?? undefined } : nowAndNext(stage.talks, info.now);
  return (
    <section class="panel on-air" aria-labelledby="on-air-heading">
      <h2 id="on-air-heading">{t('home.programme')}</h2>
      {current && (
        <>
          <p id="on-air-talk" class="talk-title" lang={info.event.language}>
            {t('watch.onAirNow', { title: current.title })}
          </p>
          {current.speakers.length > 0 && <p class="talk-speakers">{speakersText(current.speakers)}</p>}
        </>
      )}
      <p id="on-air-next">
        {next
          ? set?.talk
            ? t('watch.upNext', { title: next.title })
            : t('home.nextOnStage', { time: time(next.plannedStart, info.event.timeZone), title: next.title })
          : t('home.nothingNext')}
      </p>
    </section>
  );
}

const stageId = stageIdFromLocation();
if (stageId) {
  const signalling = openPlayerConnection();
  render(<WatchPage stageId={stageId} signalling={signalling} />, document.getElementById('app')!);
  void loadStageInfo(stageId);
} else {
  document.body.dataset.state = 'offline';
  render(<MissingStage />, document.getElementById('app')!);
}
