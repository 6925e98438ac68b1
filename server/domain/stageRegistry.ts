import type { Program, SpeakerPlacement, StageSpeaker, StageSummary } from '../../shared/protocol.js';
import { AppError } from '../errors.js';
import type { SpeakerInviteRef } from './peer.js';
import { DeliberateEnds } from './deliberateEnds.js';
import { absentSpeaker, type LineupStore, SpeakerLineup } from './speakerLineup.js';
import type { StageDependencies } from './stage.js';
import { Stage } from './stage.js';

export interface StageLifecycleListener {
  opened(stage: Stage): void;
  closed(stage: Stage): void;
}

/** The stages that exist now. A stage appears when someone joins it and goes with its last peer. */
export class StageRegistry {
  private readonly stages = new Map<string, Stage>();
  private readonly lifecycleListeners: StageLifecycleListener[] = [];
  private readonly deps: StageDependencies;
  private readonly lineup: SpeakerLineup;
  private readonly deliberateEnds = new DeliberateEnds();

  /** `lineupStore`: where placements and Takes outlive a restart (the database). */
  constructor(deps: Omit<StageDependencies, 'lineup' | 'deliberateEnds'> & { lineupStore?: LineupStore }) {
    const { lineupStore, ...stageDeps } = deps;
    this.lineup = new SpeakerLineup(lineupStore);
    this.deps = { ...stageDeps, lineup: this.lineup, deliberateEnds: this.deliberateEnds };
    deps.media.onStageMediaLost((stageId, reason) => this.stages.get(stageId)?.mediaLost(reason));
  }

  /** Lets other concerns (the recorder) follow stages as they come and go. */
  onLifecycle(listener: StageLifecycleListener): void {
    this.lifecycleListeners.push(listener);
  }

  get(stageId: string): Stage | undefined {
    return this.stages.get(stageId);
  }

  open(stageId: string, options: { persistent?: boolean } = {}): Stage {
    let stage = this.stages.get(stageId);
    if (!stage) {
      stage = new Stage(stageId, options.persistent ?? false, this.deps);
      this.stages.set(stageId, stage);
      for (const listener of this.lifecycleListeners) listener.opened(stage);
    }
    return stage;
  }

  /** The stage's invited speakers, backstage or on air (on air but not connected, when nobody is on the stage). */
  speakers(stageId: string): StageSpeaker[] {
    return this.stages.get(stageId)?.speakers() ?? this.lineup.onAirSpeakers(stageId);
  }

  /** Takes an invited speaker to air or backstage, now if they are connected, else when they come. */
  async placeSpeaker(stageId: string, invite: SpeakerInviteRef, placement: SpeakerPlacement): Promise<StageSpeaker> {
    const stage = this.stages.get(stageId);
    if (stage) await stage.placeSpeaker(invite, placement);
    else this.lineup.place(stageId, invite, placement);
    return this.speakers(stageId).find((speaker) => speaker.inviteId === invite.id) ?? absentSpeaker(invite, placement);
  }

  /** A technician's Take; on a stage with nothing on air only the empty one (which clears the last Take). */
  takeProgram(stageId: string, program: Program): Program {
    const stage = this.stages.get(stageId);
    if (stage) return stage.setProgram(program);
    if (program.main !== null || program.inset !== null)
      throw new AppError('not_found', `Nothing is on air on stage "${stageId}": take a speaker to air first.`);
    this.lineup.takeProgram(stageId, program);
    return program;
  }

  /** Whether the feed left the air on purpose (stopped, taken backstage, its session ended), not lost. */
  endedDeliberately(producerId: string): boolean {
    return this.deliberateEnds.has(producerId);
  }

  /** Drops a stage nobody is on any more, unless it is meant to stay. */
  async closeIfEmpty(stage: Stage): Promise<void> {
    if (!stage.isEmpty || stage.persistent || this.stages.get(stage.id) !== stage) return;
    this.stages.delete(stage.id);
    await this.closeStage(stage);
  }

  list(): StageSummary[] {
    return [...this.stages.values()].map((stage) => stage.summary()).sort((a, b) => a.id.localeCompare(b.id));
  }

  async closeAll(): Promise<void> {
    const stages = [...this.stages.values()];
    this.stages.clear();
    await Promise.all(stages.map((stage) => this.closeStage(stage)));
  }

  private async closeStage(stage: Stage): Promise<void> {
    for (const listener of this.lifecycleListeners) listener.closed(stage);
    await stage.close();
  }
}
