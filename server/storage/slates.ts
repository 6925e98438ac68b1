/** Each stage's slate: its uploaded image (none: the default one) and whether it is up on purpose. */
import type { Database } from 'better-sqlite3';
import type { SlateImageType } from '../../shared/slateDefaults.js';
import { preparedOnce } from './prepared.js';
import { toIsoTime } from './time.js';

export interface StoredSlate {
  /** The uploaded image's file name in the data folder's slates/; null: the default slate. */
  imageFile: string | null;
  imageType: SlateImageType | null;
  /** When the picture was uploaded; null for the default slate. */
  imageAt: string | null;
  /** A technician put the slate up on purpose. */
  up: boolean;
}

interface SlateRow {
  imageFile: string | null;
  imageType: SlateImageType | null;
  imageAt: string | null;
  up: number;
}

const statements = preparedOnce((db) => ({
  get: db.prepare<[string], SlateRow>('SELECT image_file AS imageFile, image_type AS imageType, image_at AS imageAt, up FROM stage_slates WHERE stage_id = ?'),
  setImage: db.prepare<[string, string, string, string]>(
    `INSERT INTO stage_slates (stage_id, image_file, image_type, image_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (stage_id) DO UPDATE SET image_file = excluded.image_file, image_type = excluded.image_type, image_at = excluded.image_at`,
  ),
  clearImage: db.prepare<[string]>('UPDATE stage_slates SET image_file = NULL, image_type = NULL, image_at = NULL WHERE stage_id = ?'),
  setUp: db.prepare<[string, number]>('INSERT INTO stage_slates (stage_id, up) VALUES (?, ?) ON CONFLICT (stage_id) DO UPDATE SET up = excluded.up'),
}));

const DEFAULT_SLATE: StoredSlate = { imageFile: null, imageType: null, imageAt: null, up: false };

export function stageSlate(db: Database, stageId: string): StoredSlate {
  const row = statements(db).get.get(stageId);
  return row ? { ...row, up: row.up === 1 } : DEFAULT_SLATE;
}

export function setSlateImage(db: Database, stageId: string, imageFile: string, imageType: SlateImageType, now = new Date()): void {
  statements(db).setImage.run(stageId, imageFile, imageType, toIsoTime(now));
}

export function clearSlateImage(db: Database, stageId: string): void {
  statements(db).clearImage.run(stageId);
}

export function setSlateUp(db: Database, stageId: string, up: boolean): void {
  statements(db).setUp.run(stageId, up ? 1 : 0);
}
