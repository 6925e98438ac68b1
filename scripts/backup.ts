/**
 * A copy of the database, safe to take while the server runs:
 *
 *   npm run backup                 (to DATA_DIR/backups/estrad-<UTC time>.sqlite)
 *   npm run backup -- <file>       (to that file; it must not exist yet)
 *
 * To restore: stop Estrad, copy the backup over DATA_DIR/estrad.sqlite, delete estrad.sqlite-wal
 * and estrad.sqlite-shm beside it if they exist, and start Estrad again.
 */
import { loadConfig } from '../server/config/env.js';
import { backupDatabase, defaultBackupPath } from '../server/storage/backup.js';

const config = loadConfig();
const target = process.argv[2] ?? defaultBackupPath(config.dataDir);
try {
  const { file, bytes } = await backupDatabase(config.dataDir, target);
  console.log(`Backed up ${config.dataDir} to ${file} (${bytes} bytes).`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
