/**
 * The control room's slate of one stage: what viewers would see instead of black, whether they
 * see it now and why, putting it up on purpose, and replacing its picture.
 */
import './slate.css';
import type { TargetedSubmitEvent } from 'preact';
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { StageSlate } from '../../../shared/slate';
import { SLATE_IMAGE_MAX_BYTES, slateImageTypes } from '../../../shared/slateDefaults';
import { fetchSlate, putSlateUp, resetSlateImage, slateImageUrl, uploadSlateImage } from '../api/slate';
import { t } from '../i18n/language';
import type { ControlAction } from './ProgrammeEditor';

/** Whether the slate is shown follows what is on air: read again every few seconds. */
const REFRESH_INTERVAL_MS = 3_000;
const MAX_MEGABYTES = SLATE_IMAGE_MAX_BYTES / 1024 / 1024;

export function SlatePanel({ stageId, stageTitle, act }: { stageId: string; stageTitle: string; act: ControlAction }) {
  const [slate, setSlate] = useState<StageSlate | null>(null);
  const [problem, setProblem] = useState('');
  const load = useCallback(() => fetchSlate(stageId).then(setSlate, () => undefined), [stageId]);
  useEffect(() => {
    void load();
    const timer = setInterval(() => void load(), REFRESH_INTERVAL_MS);
    return () => clearInterval(timer);
  }, [load]);
  if (!slate) return null;

  const run: ControlAction = (what, action) =>
    act(what, action).then((done) => {
      void load();
      return done;
    });
  const switchLabel = t(slate.up ? 'slate.takeDown' : 'slate.putUp', { stage: stageTitle });
  const fileId = `slate-file-${stageId}`;
  const problemId = `slate-problem-${stageId}`;
  const onUpload = (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const file = new FormData(form).get('image');
    const refusal = refusalOf(file);
    setProblem(refusal);
    if (refusal || !(file instanceof File)) return;
    void run(t('slate.upload'), () => uploadSlateImage(stageId, file)).then((done) => {
      if (done) form.reset();
    });
  };
  return (
    <section class="control-slate" aria-labelledby={`slate-${stageId}`} data-slate-panel={stageId}>
      <h4 id={`slate-${stageId}`}>{t('slate.heading', { stage: stageTitle })}</h4>
      <p class="meta">{t('slate.intro')}</p>
      <p class="control-slate-state" data-slate={slate.shown ? 'shown' : 'not-shown'} data-reason={slate.reason ?? 'none'}>
        {stateText(slate)}
      </p>
      <img
        class="control-slate-preview"
        src={slateImageUrl(stageId, slate.image.updatedAt ?? 'default')}
        alt={t('slate.preview', { stage: stageTitle })}
        width={320}
        height={180}
      />
      <p class="meta">{slate.image.custom ? t('slate.customImage') : t('slate.defaultImage', { words: t('slate.defaultText') })}</p>
      <p class="control-inline">
        <button
          class={slate.up ? 'button button-danger' : 'button button-primary'}
          type="button"
          onClick={() => void run(switchLabel, () => putSlateUp(stageId, !slate.up))}
        >
          {switchLabel}
        </button>
        {slate.image.custom && (
          <button class="button" type="button" onClick={() => void run(t('slate.useDefault'), () => resetSlateImage(stageId))}>
            {t('slate.useDefault')}
          </button>
        )}
      </p>
      <form class="control-inline" onSubmit={onUpload}>
        <div class="field">
          <label for={fileId}>{t('slate.imageLabel', { megabytes: MAX_MEGABYTES })}</label>
          <input id={fileId} name="image" type="file" accept={slateImageTypes.join(',')} aria-describedby={problem ? problemId : undefined} />
        </div>
        <button class="button" type="submit">
          {t('slate.upload')}
        </button>
      </form>
      {problem && (
        <p id={problemId} class="field-error" role="alert">
          {problem}
        </p>
      )}
    </section>
  );
}

function stateText(slate: StageSlate): string {
  if (slate.reason) return t(`slate.shown.${slate.reason}`);
  return t(slate.up ? 'slate.upIdle' : 'slate.notShown');
}

/** What is wrong with the chosen file before it is sent, in the page's language; '' when nothing is. */
function refusalOf(file: FormDataEntryValue | null): string {
  if (!(file instanceof File) || file.size === 0) return t('slate.noFile');
  if (!(slateImageTypes as readonly string[]).includes(file.type)) return t('slate.wrongType');
  if (file.size > SLATE_IMAGE_MAX_BYTES) return t('slate.tooLarge', { megabytes: MAX_MEGABYTES });
  return '';
}
