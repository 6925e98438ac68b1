/**
 * The control room's recording of one stage: recording on and off apart from going live, chapter
 * markers in one click, and how much the disk still takes.
 */
import './programmeControl.css';
import type { TargetedSubmitEvent } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { RecordingControl } from '../../../shared/programmeControl';
import { fetchRecordingControl, setChapterMarker, switchRecording } from '../api/programmeControl';
import { language, t, time } from '../i18n/language';
import { fieldText } from './formData';
import type { ControlAction } from './ProgrammeEditor';
import { clockText } from './replayTime';

/** A recording's duration and size move on while it runs. */
const REFRESH_INTERVAL_MS = 5_000;
/** The recording's start is read where the technician sits. */
const localZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

export function RecordingPanel({ stageId, stageTitle, act }: { stageId: string; stageTitle: string; act: ControlAction }) {
  const [state, setState] = useState<RecordingControl | null>(null);
  const load = useCallback(() => fetchRecordingControl(stageId).then(setState, () => undefined), [stageId]);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [load]);
  if (!state) return null;

  const run: ControlAction = (what, action) =>
    act(what, action).then((done) => {
      void load();
      return done;
    });
  const { recorded, current, disk } = state;
  const switchLabel = t(recorded ? 'control.stopRecording' : 'control.startRecording', { stage: stageTitle });
  const onMarker = (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const title = fieldText(new FormData(form), 'title');
    void run(t('control.setMarker'), () => setChapterMarker(stageId, title)).then((done) => {
      if (done) form.reset();
    });
  };
  return (
    <section class="control-recording" aria-labelledby={`recording-${stageId}`}>
      <h4 id={`recording-${stageId}`}>{t('control.recordingHeading', { stage: stageTitle })}</h4>
      <p class="control-recording-state" data-recording={current ? 'on' : recorded ? 'armed' : 'off'}>
        {current
          ? t('control.recordingNow', {
              time: time(current.startedAt, localZone),
              duration: clockText(current.durationSeconds),
              size: byteSize(current.sizeBytes),
            })
          : t(recorded ? 'control.recordingArmed' : 'control.recordingOff')}
      </p>
      <p class="control-inline">
        <button
          class={recorded ? 'button button-danger' : 'button button-primary'}
          type="button"
          onClick={() => void run(switchLabel, () => switchRecording(stageId, !recorded))}
        >
          {switchLabel}
        </button>
      </p>
      {current && (
        <>
          <form class="control-inline" onSubmit={onMarker}>
            <div class="field">
              <label for={`marker-${stageId}`}>{t('control.markerTitle')}</label>
              <input id={`marker-${stageId}`} name="title" maxLength={200} />
            </div>
            <button class="button" type="submit">
              {t('control.setMarker')}
            </button>
          </form>
          <p class="meta">{t('control.markers', { count: current.markers.length })}</p>
        </>
      )}
      <p class="meta control-disk">
        {disk ? t('control.diskFree', { free: byteSize(disk.freeBytes), total: byteSize(disk.totalBytes) }) : t('control.diskUnknown')}
      </p>
    </section>
  );
}

/** "1,2 GB" or "350 MB", in the page's language. */
function byteSize(bytes: number): string {
  const gigabytes = bytes / 1024 ** 3;
  const unit = gigabytes >= 1 ? 'gigabyte' : 'megabyte';
  const value = gigabytes >= 1 ? gigabytes : bytes / 1024 ** 2;
  return new Intl.NumberFormat(language.value, { style: 'unit', unit, maximumFractionDigits: 1 }).format(value);
}
