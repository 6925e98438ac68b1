import { pino } from 'pino';
import { startEstrad } from './app.js';
import { ConfigError, loadConfig } from './config/env.js';
import { openFileLimit, RECOMMENDED_OPEN_FILES } from './config/openFiles.js';

function loadConfigOrExit() {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

const config = loadConfigOrExit();
const logger = pino({ level: config.logLevel, base: { service: 'estrad' } });
warnAboutLowOpenFileLimit();

function warnAboutLowOpenFileLimit(): void {
  const limit = openFileLimit();
  if (!limit || limit.soft >= RECOMMENDED_OPEN_FILES) return;
  logger.warn(
    { openFiles: limit },
    `the open-file limit is ${limit.soft}; each viewer and connection needs file descriptors, so raise it to ${RECOMMENDED_OPEN_FILES} or more (ulimit -n, systemd LimitNOFILE=, docker run --ulimit nofile=${RECOMMENDED_OPEN_FILES}:${RECOMMENDED_OPEN_FILES})`,
  );
}

const estrad = await startEstrad(config, logger).catch((error: unknown) => {
  logger.fatal({ err: error }, 'Estrad could not start');
  process.exit(1);
});
logger.info({ url: `http://localhost:${config.port}`, dataDir: config.dataDir, recordingsDir: config.recordingsDir }, 'Estrad is serving');

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const forceExit = setTimeout(() => {
      logger.error('shutdown took longer than 10 s; exiting anyway');
      process.exit(1);
    }, 10_000);
    forceExit.unref();
    estrad.close().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  });
}
