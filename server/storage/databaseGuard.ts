/**
 * Keeps the database's writes safe while Estrad runs. In WAL mode a commit lands in the -wal file
 * first and reaches the database file only at a checkpoint; a -wal file deleted while running
 * goes on taking writes (SQLite holds it open), and all of them vanish at the next start. So the
 * guard checkpoints regularly, and checks that the -wal file on disk is still the one SQLite has
 * open (same inode): when it is not, it says so loudly, copies what the log holds into the
 * database at once, starts a new log, and reports the problem to /healthz until a restart.
 */
import fs from 'node:fs';
import type { Database } from 'better-sqlite3';
import type { Logger } from 'pino';
import { walPath } from './database.js';

const CHECK_INTERVAL_MS = 5_000;

export class DatabaseGuard {
  private readonly wal: string;
  private walInode: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private problemFound: string | undefined;

  constructor(
    private readonly db: Database,
    private readonly logger: Logger,
  ) {
    this.wal = walPath(db.name);
  }

  start(): void {
    this.checkpoint('PASSIVE');
    this.walInode = this.currentWalInode();
    this.timer = setInterval(() => this.check(), CHECK_INTERVAL_MS);
    this.timer.unref();
  }

  /** What is wrong with the database's files, for /healthz; undefined while all is well. */
  problem(): string | undefined {
    return this.problemFound;
  }

  /** Before the database closes: everything into the database file, and an empty log. */
  stop(): void {
    clearInterval(this.timer);
    this.checkpoint('TRUNCATE');
  }

  private check(): void {
    this.checkpoint('PASSIVE');
    const inode = this.currentWalInode();
    if (inode !== undefined && inode === this.walInode) return;
    this.problemFound = `The database's write-ahead log ${this.wal} was deleted or replaced while Estrad ran (${new Date().toISOString()}); find out what touches DATA_DIR, check your backups, then restart Estrad.`;
    this.logger.fatal({ wal: this.wal }, `${this.problemFound} Writes are being saved into the database file directly.`);
    this.rescue();
  }

  /** Copies every write from the log SQLite still holds open into the database, then starts a new log. */
  private rescue(): void {
    try {
      this.checkpoint('TRUNCATE');
      this.db.pragma('journal_mode = DELETE');
      this.db.pragma('journal_mode = WAL');
      this.checkpoint('PASSIVE');
      this.walInode = this.currentWalInode();
    } catch (error) {
      // Another connection (a backup, the admin CLI) keeps the old log; the checkpoints each interval still save the writes.
      this.logger.error({ err: error }, 'could not start a new write-ahead log; checkpointing every few seconds instead');
    }
  }

  private checkpoint(mode: 'PASSIVE' | 'TRUNCATE'): void {
    try {
      this.db.pragma(`wal_checkpoint(${mode})`);
    } catch (error) {
      this.logger.error({ err: error, mode }, 'database checkpoint failed');
    }
  }

  private currentWalInode(): number | undefined {
    return fs.statSync(this.wal, { throwIfNoEntry: false })?.ino;
  }
}
