/**
 * A stage's ingest points in the control room: where the production team's encoders send the
 * program feed (WHIP, SRT, RTMP), main or backup. Technicians create, relabel the role of, rotate
 * and revoke them, copy each encoder's settings or download the Blackmagic streaming XML, and see
 * while the panel is open whether media arrives, what the pre-flight check measured, and which
 * feed is on air.
 */
import { useSignal } from '@preact/signals';
import type { TargetedSubmitEvent } from 'preact';
import { useEffect } from 'preact/hooks';
import type {
  EncoderKind,
  EncoderSetting,
  EncoderSettingName,
  EncoderSettings,
  IngestEncoderSettingsResponse,
  IngestFeedRole,
  IngestPointInfo,
  IngestPreflight,
  IngestPreflightWarning,
  IngestProtocol,
  StageFeedChoice,
  StageFeedState,
} from '../../../shared/protocol';
import {
  changeIngestPoint,
  chooseFeed,
  createIngestPoint,
  fetchEncoderSettings,
  fetchFeedState,
  fetchIngestPoints,
  revokeIngestPoint,
  rotateIngestSecret,
} from '../api/ingest';
import { t } from '../i18n/language';
import type { PlainMessageKey } from '../i18n/translate';
import { fieldText } from './formData';

/** Runs a control-room action and says what it did, or why not (the page's own status line). */
export type ControlAction = (what: string, action: () => Promise<unknown>) => Promise<boolean>;

/** While the panel is open, the points' live state is read this often. */
const REFRESH_MS = 2_000;

const protocols: readonly IngestProtocol[] = ['whip', 'srt', 'rtmp'];
const protocolNames: Record<IngestProtocol, PlainMessageKey> = { whip: 'ingest.protocolWhip', srt: 'ingest.protocolSrt', rtmp: 'ingest.protocolRtmp' };
const roleNames: Record<IngestFeedRole, PlainMessageKey> = { main: 'ingest.role.main', backup: 'ingest.role.backup' };
const feedChoices: Record<StageFeedChoice, PlainMessageKey> = { auto: 'ingest.feedAuto', main: 'ingest.role.main', backup: 'ingest.role.backup' };
const warningTexts: Record<IngestPreflightWarning['code'], PlainMessageKey> = {
  video_codec: 'ingest.warning.video_codec',
  b_frames: 'ingest.warning.b_frames',
  keyframe_interval: 'ingest.warning.keyframe_interval',
  bitrate: 'ingest.warning.bitrate',
};
const settingNames: Record<EncoderSettingName, PlainMessageKey> = {
  service: 'ingest.setting.service',
  server: 'ingest.setting.server',
  bearerToken: 'ingest.setting.bearerToken',
  streamKey: 'ingest.setting.streamKey',
  srtUrl: 'ingest.setting.srtUrl',
  srtMode: 'ingest.setting.srtMode',
  host: 'ingest.setting.host',
  port: 'ingest.setting.port',
  streamId: 'ingest.setting.streamId',
  passphrase: 'ingest.setting.passphrase',
  keyLength: 'ingest.setting.keyLength',
  latency: 'ingest.setting.latency',
  videoCodec: 'ingest.setting.videoCodec',
  profile: 'ingest.setting.profile',
  rateControl: 'ingest.setting.rateControl',
  videoBitrate: 'ingest.setting.videoBitrate',
  keyframeInterval: 'ingest.setting.keyframeInterval',
  bFrames: 'ingest.setting.bFrames',
  tune: 'ingest.setting.tune',
  audioCodec: 'ingest.setting.audioCodec',
  audioBitrate: 'ingest.setting.audioBitrate',
  sampleRate: 'ingest.setting.sampleRate',
};
const encoderNames: Record<EncoderKind, PlainMessageKey> = { obs: 'ingest.encoder.obs', vmix: 'ingest.encoder.vmix', blackmagic: 'ingest.encoder.blackmagic' };

/** Where the settings go, by encoder and the point's protocol (OBS takes WHIP as a service of its own). */
function whereText(encoder: EncoderKind, protocol: IngestProtocol): string {
  if (encoder === 'obs') return t(protocol === 'whip' ? 'ingest.where.obsWhip' : 'ingest.where.obsCustom');
  if (encoder === 'vmix') return t(protocol === 'srt' ? 'ingest.where.vmixSrt' : 'ingest.where.vmixRtmp');
  return t('ingest.where.blackmagic');
}

function pointName(point: IngestPointInfo): string {
  return point.label || `${point.protocol.toUpperCase()} ${t(roleNames[point.role])}`;
}

export function IngestPanel({ stageId, stageTitle, act }: { stageId: string; stageTitle: string; act: ControlAction }) {
  const open = useSignal(false);
  /** Undefined until the first read. */
  const points = useSignal<IngestPointInfo[] | undefined>(undefined);
  const feed = useSignal<StageFeedState | undefined>(undefined);
  /** Each shown point's encoder settings, by point id. */
  const settings = useSignal<ReadonlyMap<string, IngestEncoderSettingsResponse>>(new Map());
  /** What copying did: said by this panel's own status line, as the page's is for actions. */
  const copyNotice = useSignal('');

  const load = async () => {
    const [list, state] = await Promise.all([fetchIngestPoints(stageId), fetchFeedState(stageId)]);
    points.value = list.ingestPoints.filter((point) => point.revokedAt === null);
    feed.value = state;
  };
  useEffect(() => {
    if (!open.value) return;
    // A failed read leaves what was shown; the next one (or an action's message) tells more.
    const reload = () => void load().catch(() => undefined);
    reload();
    const timer = setInterval(reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, [open.value]);

  const showSettings = async (id: string, shown: boolean) => {
    const next = new Map(settings.value);
    if (shown) next.set(id, await fetchEncoderSettings(id));
    else next.delete(id);
    settings.value = next;
  };
  /** An action on the points, then the list (and any settings shown, whose secret may have changed) read again. */
  const actOnPoints = (what: string, action: () => Promise<unknown>) =>
    act(what, async () => {
      await action();
      await load();
      for (const id of settings.value.keys()) {
        await showSettings(id, points.value?.some((point) => point.id === id) ?? false);
      }
    });

  const onCreate = (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const label = fieldText(data, 'label');
    const input = { protocol: fieldText(data, 'protocol') as IngestProtocol, role: fieldText(data, 'role') as IngestFeedRole, ...(label ? { label } : {}) };
    void actOnPoints(t('ingest.create'), () => createIngestPoint(stageId, input)).then((done) => {
      if (done) form.reset();
    });
  };

  const onChooseFeed = (event: TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const use = fieldText(new FormData(event.currentTarget), 'use') as StageFeedChoice;
    void act(t('ingest.feedUse'), async () => (feed.value = await chooseFeed(stageId, use)));
  };

  const id = (name: string) => `ingest-${stageId}-${name}`;
  return (
    <details class="ingest" onToggle={(event) => (open.value = event.currentTarget.open)}>
      <summary>{t('ingest.summary', { stage: stageTitle })}</summary>
      <p class="status" role="status">
        {copyNotice.value}
      </p>
      {feed.value && (
        <form class="control-inline" onSubmit={onChooseFeed}>
          <p>{t('ingest.feedOnAir', { role: t(roleNames[feed.value.onAir]), count: feed.value.switches.main + feed.value.switches.backup })}</p>
          <div class="field">
            <label for={id('feed')}>{t('ingest.feedChoice')}</label>
            {/* Keyed by the choice: a read every two seconds must not undo what the technician is picking. */}
            <select key={feed.value.choice} id={id('feed')} name="use">
              {(Object.keys(feedChoices) as StageFeedChoice[]).map((choice) => (
                <option key={choice} value={choice} selected={choice === feed.value?.choice}>
                  {t(feedChoices[choice])}
                </option>
              ))}
            </select>
          </div>
          <button class="button" type="submit">
            {t('ingest.feedUse')}
          </button>
        </form>
      )}
      {points.value === undefined ? (
        <p>{t('control.loading')}</p>
      ) : points.value.length === 0 ? (
        <p>{t('ingest.none')}</p>
      ) : (
        <ul class="control-list">
          {points.value.map((point) => (
            <IngestPointItem
              key={point.id}
              point={point}
              settings={settings.value.get(point.id)}
              onShowSettings={(shown) =>
                void act(t(shown ? 'ingest.showSettings' : 'ingest.hideSettings', { name: pointName(point) }), () => showSettings(point.id, shown))
              }
              actOnPoints={actOnPoints}
              onCopied={(text) => (copyNotice.value = text)}
            />
          ))}
        </ul>
      )}
      <form class="control-inline" aria-labelledby={id('new-heading')} onSubmit={onCreate}>
        <h4 id={id('new-heading')}>{t('ingest.newHeading')}</h4>
        <div class="field">
          <label for={id('protocol')}>{t('ingest.protocol')}</label>
          <select id={id('protocol')} name="protocol" required>
            {protocols.map((protocol) => (
              <option key={protocol} value={protocol}>
                {t(protocolNames[protocol])}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for={id('role')}>{t('ingest.role')}</label>
          <select id={id('role')} name="role" required>
            {(Object.keys(roleNames) as IngestFeedRole[]).map((role) => (
              <option key={role} value={role}>
                {t(roleNames[role])}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for={id('label')}>{t('ingest.label')}</label>
          <input id={id('label')} name="label" maxLength={100} />
        </div>
        <button class="button button-primary" type="submit">
          {t('ingest.create')}
        </button>
      </form>
    </details>
  );
}

interface PointItemProps {
  point: IngestPointInfo;
  settings: IngestEncoderSettingsResponse | undefined;
  onShowSettings: (shown: boolean) => void;
  actOnPoints: ControlAction;
  onCopied: (text: string) => void;
}

function IngestPointItem({ point, settings, onShowSettings, actOnPoints, onCopied }: PointItemProps) {
  const name = pointName(point);
  const otherRole: IngestFeedRole = point.role === 'main' ? 'backup' : 'main';
  const state = !point.receiving ? 'ingest.state.waiting' : point.onAir ? 'ingest.state.onAir' : 'ingest.state.standby';
  return (
    <li class="panel ingest-point" data-ingest-point={point.id}>
      <h4>{t('ingest.pointHeading', { name, protocol: point.protocol.toUpperCase(), role: t(roleNames[point.role]) })}</h4>
      <p class={point.onAir ? 'status-strong' : undefined}>{t(state)}</p>
      {point.preflight && <Preflight preflight={point.preflight} />}
      <p class="control-inline">
        <button class="button" type="button" aria-expanded={settings !== undefined} onClick={() => onShowSettings(settings === undefined)}>
          {t(settings ? 'ingest.hideSettings' : 'ingest.showSettings', { name })}
        </button>
        <button
          class="button"
          type="button"
          onClick={() =>
            void actOnPoints(t('ingest.makeRole', { name, role: t(roleNames[otherRole]) }), () => changeIngestPoint(point.id, { role: otherRole }))
          }
        >
          {t('ingest.makeRole', { name, role: t(roleNames[otherRole]) })}
        </button>
        <button class="button" type="button" onClick={() => void actOnPoints(t('ingest.rotate', { name }), () => rotateIngestSecret(point.id))}>
          {t('ingest.rotate', { name })}
        </button>
        <button class="button button-danger" type="button" onClick={() => void actOnPoints(t('ingest.revoke', { name }), () => revokeIngestPoint(point.id))}>
          {t('ingest.revoke', { name })}
        </button>
      </p>
      {settings?.encoders.map((encoder) => (
        <EncoderSettingsView key={encoder.encoder} pointId={point.id} protocol={point.protocol} encoder={encoder} onCopied={onCopied} />
      ))}
    </li>
  );
}

function Preflight({ preflight }: { preflight: IngestPreflight }) {
  const keyframe = preflight.keyframeIntervalSeconds === null ? '–' : String(preflight.keyframeIntervalSeconds);
  return (
    <>
      <p>
        {t('ingest.preflight', {
          codec: [preflight.codec, preflight.profile].filter(Boolean).join(' '),
          width: preflight.width,
          height: preflight.height,
          fps: preflight.frameRate,
          kbps: preflight.bitrateKbps,
          keyframe,
          bFrames: t(preflight.bFrames ? 'ingest.yes' : 'ingest.no'),
        })}
      </p>
      {preflight.warnings.length > 0 && (
        <ul class="problem">
          {preflight.warnings.map((warning) => (
            <li key={warning.code}>{t(warningTexts[warning.code])}</li>
          ))}
        </ul>
      )}
    </>
  );
}

function EncoderSettingsView({
  pointId,
  protocol,
  encoder,
  onCopied,
}: {
  pointId: string;
  protocol: IngestProtocol;
  encoder: EncoderSettings;
  onCopied: (text: string) => void;
}) {
  const headingId = `ingest-${pointId}-${encoder.encoder}`;
  return (
    <section class="ingest-encoder" aria-labelledby={headingId} data-encoder={encoder.encoder}>
      <h5 id={headingId}>{t(encoderNames[encoder.encoder])}</h5>
      <p class="hint">{whereText(encoder.encoder, protocol)}</p>
      {encoder.settings.map((setting) => (
        <SettingRow key={setting.setting} id={`${headingId}-${setting.setting}`} setting={setting} onCopied={onCopied} />
      ))}
      {encoder.streamingXmlUrl && (
        <p>
          <a class="button" href={encoder.streamingXmlUrl} download>
            {t('ingest.downloadXml')}
          </a>
        </p>
      )}
    </section>
  );
}

function SettingRow({ id, setting, onCopied }: { id: string; setting: EncoderSetting; onCopied: (text: string) => void }) {
  const label = t(settingNames[setting.setting]);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(setting.value);
      onCopied(t('ingest.copied', { setting: label }));
    } catch {
      // No clipboard (a page not served over HTTPS, or refused): the text is selected for Ctrl+C.
      const input = document.getElementById(id) as HTMLInputElement | null;
      input?.focus();
      input?.select();
      onCopied(t('ingest.copyManually'));
    }
  };
  return (
    <div class="control-inline ingest-setting">
      <div class="field">
        <label for={id}>{label}</label>
        <input id={id} readOnly value={setting.value} spellcheck={false} autocomplete="off" size={Math.min(60, Math.max(8, setting.value.length))} />
      </div>
      <button class="button" type="button" onClick={() => void copy()}>
        {t('ingest.copy', { setting: label })}
      </button>
    </div>
  );
}
