/**
 * One stage's live media in /control: the program with its preview and Take, talking to backstage,
 * and the green room. One monitor connection feeds them all; the page runs the actions and says what they did.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Program } from '../../../shared/protocol';
import { t } from '../i18n/language';
import { problemText } from '../i18n/liveText';
import { type MonitorView, StageMonitor } from '../live/monitor';
import { BackstagePanel, type PlaceSpeaker } from './BackstagePanel';
import { ProgramPanel } from './ProgramPanel';
import { TalkbackPanel } from './TalkbackPanel';

export function StageMonitorPanel({
  stageId,
  stageTitle,
  onPlace,
  onTake,
}: {
  stageId: string;
  stageTitle: string;
  onPlace: PlaceSpeaker;
  onTake: (program: Program) => void;
}) {
  const [view, setView] = useState<MonitorView>({
    speakers: [],
    feeds: [],
    program: { main: null, inset: null },
    status: 'connecting',
    problem: undefined,
    talkback: 'off',
    colleaguesTalking: [],
  });
  const monitorRef = useRef<StageMonitor | undefined>(undefined);
  useEffect(() => {
    const monitor = new StageMonitor(stageId, { changed: setView });
    monitorRef.current = monitor;
    monitor.start();
    return () => void monitor.stop();
  }, [stageId]);
  return (
    <>
      {view.problem && <p class="problem">{problemText(view.problem)}</p>}
      {view.status === 'connecting' && <p>{t('backstage.connecting')}</p>}
      <ProgramPanel stageId={stageId} view={view} onTake={onTake} />
      <TalkbackPanel
        stageId={stageId}
        stageTitle={stageTitle}
        state={view.talkback}
        colleagues={view.colleaguesTalking}
        onToggle={(talking) => void monitorRef.current?.setTalking(talking)}
      />
      <BackstagePanel stageId={stageId} view={view} onPlace={onPlace} />
    </>
  );
}
