/** The broadcast's health at a glance, pushed every second: audience, feeds, recording per stage; workers; disk. */
import './health.css';
import type { FeedHealth, HealthLight, HealthSnapshot, RecordingHealth, StageHealth } from '../../../shared/health';
import { t } from '../i18n/language';
import { clockTime, healthConnected, healthSnapshot } from './controlRoomHealth';

const GIGABYTE = 1024 ** 3;
const MEGABYTE = 1024 ** 2;

export function HealthPanel({ stageTitle }: { stageTitle: (stageId: string) => string }) {
  const snapshot = healthSnapshot.value;
  return (
    <section aria-labelledby="health-heading">
      <h2 id="health-heading">{t('health.heading')}</h2>
      {!healthConnected.value && <p>{t('health.disconnected')}</p>}
      {snapshot === null ? (
        <p>{t('health.waiting')}</p>
      ) : (
        <>
          <p>{t('health.updatedAt', { time: clockTime(snapshot.takenAt) })}</p>
          {snapshot.stages.map((stage) => (
            <StageHealthView key={stage.stageId} stage={stage} title={stageTitle(stage.stageId)} />
          ))}
          <Workers workers={snapshot.workers} />
          <Disk disk={snapshot.disk} />
        </>
      )}
    </section>
  );
}

export function Light({ light }: { light: HealthLight }) {
  return <span class={`light light-${light}`}>{t(`health.light.${light}`)}</span>;
}

function StageHealthView({ stage, title }: { stage: StageHealth; title: string }) {
  const headingId = `health-stage-${stage.stageId}`;
  return (
    <article class="panel health-stage" aria-labelledby={headingId} data-health-stage={stage.stageId}>
      <h3 id={headingId}>
        {title} – {t(stage.live ? 'health.live' : 'health.offAir')}
      </h3>
      <p data-health="viewers">{t('health.viewers', { webrtc: stage.viewers.webrtc, hls: stage.viewers.hls })}</p>
      <p>{t('health.speakers', { count: stage.speakers })}</p>
      {stage.feeds.length === 0 ? <p>{t('health.noFeeds')}</p> : <Feeds feeds={stage.feeds} title={title} />}
      <Recording recording={stage.recording} />
    </article>
  );
}

function Feeds({ feeds, title }: { feeds: FeedHealth[]; title: string }) {
  return (
    <table class="health-table">
      <caption>{t('health.feedsCaption', { stage: title })}</caption>
      <thead>
        <tr>
          <th scope="col">{t('health.feed')}</th>
          <th scope="col">{t('health.status')}</th>
          <th scope="col">{t('health.bitrate')}</th>
          <th scope="col">{t('health.frameRate')}</th>
          <th scope="col">{t('health.resolution')}</th>
          <th scope="col">{t('health.loss')}</th>
          <th scope="col">{t('health.roundTrip')}</th>
          <th scope="col">{t('health.jitter')}</th>
        </tr>
      </thead>
      <tbody>
        {feeds.map((feed) => (
          <tr key={feed.producerId} data-feed={feed.producerId}>
            <th scope="row">
              {t(`health.source.${feed.source}`)}
              {feed.paused && ` (${t('health.paused')})`}
            </th>
            <td>
              <Light light={feed.light} />
              {feed.problems.length > 0 && ` – ${feed.problems.map((problem) => t(`health.problem.${problem}`)).join(', ')}`}
            </td>
            <td class="number">{t('health.kbps', { value: Math.round(feed.bitrateKbps) })}</td>
            <td class="number">{feed.frameRate === null ? t('health.notMeasured') : Math.round(feed.frameRate)}</td>
            <td class="number" data-health="resolution">
              {feed.resolution === null ? <NotRead /> : t('health.resolutionValue', feed.resolution)}
            </td>
            <td class="number">{t('health.percent', { value: feed.packetLossPercent })}</td>
            <td class="number">{feed.roundTripMs === null ? t('health.notMeasured') : t('health.ms', { value: feed.roundTripMs })}</td>
            <td class="number">{feed.jitterMs === null ? t('health.notMeasured') : t('health.ms', { value: feed.jitterMs })}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A dash to the eye; screen readers hear why it is there. */
function NotRead() {
  return (
    <>
      <span aria-hidden="true">–</span>
      <span class="visually-hidden">{t('health.resolutionUnknown')}</span>
    </>
  );
}

function Recording({ recording }: { recording: RecordingHealth | null }) {
  if (!recording) return <p>{t('health.noRecording')}</p>;
  const figures = t('health.recordingFigures', {
    duration: Math.floor(recording.durationSeconds / 60),
    size: Math.round(recording.sizeBytes / MEGABYTE),
  });
  const segment =
    recording.lastSegmentAgeSeconds === null ? t('health.noSegment') : t('health.segmentAge', { age: Math.round(recording.lastSegmentAgeSeconds) });
  return (
    <p data-health="recording">
      <Light light={recording.light} /> {t(`health.recording.${recording.status}`)}: {figures}
      {recording.status === 'recording' && `, ${segment}`}
      {recording.failureReason !== null && `. ${t('health.recordingReason', { reason: recording.failureReason })}`}
    </p>
  );
}

function Workers({ workers }: { workers: HealthSnapshot['workers'] }) {
  return (
    <table class="health-table">
      <caption>{t('health.workersHeading')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('health.workerName')}</th>
          <th scope="col">{t('health.workerCpu')}</th>
          <th scope="col">{t('health.workerConsumers')}</th>
        </tr>
      </thead>
      <tbody>
        {workers.map((worker) => (
          <tr key={worker.id}>
            <th scope="row">
              {t('health.worker', { id: worker.id, pid: worker.pid })}
              {!worker.alive && ` (${t('health.workerRestarting')})`}
            </th>
            <td class="number">{t('health.percent', { value: worker.cpuPercent })}</td>
            <td class="number">{worker.consumers}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Disk({ disk }: { disk: HealthSnapshot['disk'] }) {
  return (
    <>
      <h3>{t('health.diskHeading')}</h3>
      {disk === null ? (
        <p>{t('health.diskUnknown')}</p>
      ) : (
        <p>
          <Light light={disk.light} />{' '}
          {t('health.disk', { free: Math.round((disk.freeBytes / GIGABYTE) * 10) / 10, total: Math.round(disk.totalBytes / GIGABYTE) })}
        </p>
      )}
    </>
  );
}
