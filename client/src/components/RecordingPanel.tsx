/**
 * The control room's recording of one stage: recording on and off apart from going live, chapter
 * markers in one click, and how much the disk still takes. Nothing is polled: the switch and the
 * markers are pushed as any technician changes them, the duration, size and disk come with the
 * health snapshot every second.
 */
import './programmeControl.css';
import type { TargetedSubmitEvent } from 'preact';
import { useCallback, useEffect } from 'preact/hooks';
import type { RecordingHealth } from '../../../shared/health';
import type { RecordingControl } from '../../../shared/programmeControl';
import { fetchRecordingControl, setChapterMarker, switchRecording } from '../api/programmeControl';
import { language, t, time } from '../i18n/language';
import { followedSince, healthSnapshot, recordingStates, rememberRecording } from './controlRoomHealth';
import { fieldText } from './formData';
import type { ControlAction } from './ProgrammeEditor';
import { clockText } from './replayTime';

/** The recording's start is read where the technician sits. */
const localZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

export function RecordingPanel({ stageId, stageTitle, act }: { stageId: string; stageTitle: string; act: ControlAction }) {
  const load = useCallback(() => fetchRecordingControl(stageId).then(rememberRecording, () => undefined), [stageId]);
  // Read on opening and after every (re)connection of the control room's socket; pushed in between.
  const since = followedSince.value;
  useEffect(() => void load(), [load, since]);
  const state = recordingStates.value.get(stageId);
  if (!state) return null;

  const run: ControlAction = (what, action) =>
    act(what, action).then((done) => {
      void load();
      return done;
    });
  const measured = healthSnapshot.value;
  const { recorded } = state;
  const current = currentRecording(state.current, measured?.stages.find((stage) => stage.stageId === stageId)?.recording);
  const disk = measured?.disk ?? state.disk;
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

/**
 * The recording in progress with the newest figures: the health snapshot's (a second old at most)
 * once it has one, with the markers last pushed for that recording; the state read before that.
 */
function currentRecording(pushed: RecordingControl['current'], measured: RecordingHealth | null | undefined): RecordingControl['current'] {
  if (measured === undefined) return pushed;
  if (measured === null || measured.status !== 'recording') return null;
  const { id, status, startedAt, durationSeconds, sizeBytes } = measured;
  return { id, status, startedAt, durationSeconds, sizeBytes, markers: pushed?.id === id ? pushed.markers : [] };
}

/** "1,2 GB" or "350 MB", in the page's language. */
function byteSize(bytes: number): string {
  const gigabytes = bytes / 1024 ** 3;
  const unit = gigabytes >= 1 ? 'gigabyte' : 'megabyte';
  const value = gigabytes >= 1 ? gigabytes : bytes / 1024 ** 2;
  return new Intl.NumberFormat(language.value, { style: 'unit', unit, maximumFractionDigits: 1 }).format(value);
}
