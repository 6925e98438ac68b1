import { describe, expect, it } from 'vitest';
import { clearSlateImage, setSlateImage, setSlateUp, stageSlate } from '../../server/storage/slates.js';
import { deleteStage } from '../../server/storage/stages.js';
import { createEventWithStage, openTempDatabase, tempDataDir } from './helpers.js';

describe('stage slates', () => {
  it('keeps a stage’s picture and whether its slate is up, each apart from the other, over a reopening', () => {
    const dataDir = tempDataDir();
    const db = openTempDatabase(dataDir);
    createEventWithStage(db);
    expect(stageSlate(db, 'main')).toEqual({ imageFile: null, imageType: null, imageAt: null, up: false });

    setSlateUp(db, 'main', true);
    setSlateImage(db, 'main', 'main-1.png', 'image/jpeg', new Date('2026-05-20T07:00:00.000Z'));
    setSlateUp(db, 'main', true);
    db.close();

    const reopened = openTempDatabase(dataDir);
    expect(stageSlate(reopened, 'main')).toEqual({ imageFile: 'main-1.png', imageType: 'image/jpeg', imageAt: '2026-05-20T07:00:00.000Z', up: true });
    clearSlateImage(reopened, 'main');
    setSlateUp(reopened, 'main', false);
    expect(stageSlate(reopened, 'main')).toEqual({ imageFile: null, imageType: null, imageAt: null, up: false });
  });

  it('goes with its stage', () => {
    const db = openTempDatabase();
    createEventWithStage(db);
    setSlateUp(db, 'main', true);
    expect(deleteStage(db, 'main')).toBe(true);
    expect(db.prepare('SELECT count(*) AS rows FROM stage_slates').get()).toEqual({ rows: 0 });
  });

  it('refuses a picture of a type the slate does not take', () => {
    const db = openTempDatabase();
    createEventWithStage(db);
    expect(() => setSlateImage(db, 'main', 'main-1.gif', 'image/gif' as 'image/png')).toThrow(/CHECK/);
  });
});
