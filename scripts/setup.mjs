#!/usr/bin/env node
// Installs what the app (and, with --for-tests, the test suite) needs and is missing.
// Runs before node_modules exists, so it may use Node built-ins only.
// When everything is present it must stay fast: only stat() calls, no child processes.

import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { buildRecipeFiles, writeStandins } from './mediasoup-worker/standins.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NODE_MODULES = path.join(ROOT, 'node_modules');
const MEDIASOUP_DIR = path.join(NODE_MODULES, 'mediasoup');
const WORKER_SRC_DIR = path.join(MEDIASOUP_DIR, 'worker');
// mediasoup spawns this path unless MEDIASOUP_WORKER_BIN is set.
const WORKER_BIN = path.join(WORKER_SRC_DIR, 'out', 'Release', 'mediasoup-worker');
// meson's build directory; its mediasoup-worker is copied to WORKER_BIN.
const WORKER_BUILD_DIR = path.join(WORKER_SRC_DIR, 'out', 'estrad-build');
const SQLITE_DIR = path.join(NODE_MODULES, 'better-sqlite3');
// The `bindings` package finds the addon here; install scripts (which would build it) are off.
const SQLITE_ADDON = path.join(SQLITE_DIR, 'build', 'Release', 'better_sqlite3.node');
const STATUS_INTERVAL_MS = 10_000;
const FAILURE_TAIL_LINES = 50;
const BUILD_TOOLS = ['python3', 'make', 'g++'];
const BUILD_TOOLS_INSTALL = `sudo apt-get install ${BUILD_TOOLS.join(' ')}`;
const MEDIASOUP_ALTERNATIVE = 'Or point MEDIASOUP_WORKER_BIN at an already built mediasoup-worker of the same version.';
// The worker links these Debian libraries; the tools build it (meson, not its pip copy).
const WORKER_BUILD_PACKAGES = [
  'meson',
  'ninja-build',
  'pkg-config',
  'g++',
  'flatbuffers-compiler',
  'libssl-dev',
  'libuv1-dev',
  'libabsl-dev',
  'libflatbuffers-dev',
];
const WORKER_BUILD_COMMANDS = ['meson', 'ninja', 'pkg-config', 'g++', 'flatc'];
const WORKER_PKG_CONFIG_MODULES = ['openssl', 'libuv', 'flatbuffers', 'absl_strings', 'absl_flat_hash_map'];
// mediasoup >= 3.13 wants its own libsrtp fork, which no registry here serves; libsrtp 2
// on OpenSSL ships inside this older mediasoup's npm package (see scripts/mediasoup-worker).
const LIBSRTP_SOURCE_PACKAGE = 'mediasoup@3.8.4';
const LIBSRTP_SOURCE_PATH = 'package/worker/deps/libsrtp';

const forTests = process.argv.includes('--for-tests');

main().catch((err) => fail(err instanceof Error ? err.message : String(err)));

async function main() {
  const startedAt = Date.now();
  ensureNodeModules();
  ensurePatchesApplied();
  await ensureMediasoupWorker();
  await ensureSqliteAddon();
  if (forTests) ensureTestTools();
  log(`everything needed${forTests ? ' for the tests' : ''} is installed (${Date.now() - startedAt} ms)`);
}

// ---------------------------------------------------------------- output

function log(message) {
  console.log(`setup: ${message}`);
}

function fail(message) {
  console.error(`setup: ERROR: ${message}`);
  process.exit(1);
}

// ---------------------------------------------------------------- small fs helpers

function mtimeMs(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

function isExecutableFile(file) {
  try {
    if (!fs.statSync(file).isFile()) return false;
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

function findOnPath(command) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutableFile(path.join(dir, command))) return path.join(dir, command);
  }
  return undefined;
}

function cachePath(...parts) {
  const cacheRoot = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheRoot, 'estrad', ...parts);
}

// A crash or a concurrent reader must never see a half-written binary, so copy to a
// temporary name in the destination directory and rename (atomic on one filesystem).
function copyExecutableAtomically(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const tmp = `${to}.tmp-${process.pid}`;
  try {
    fs.copyFileSync(from, tmp);
    fs.chmodSync(tmp, 0o755);
    fs.renameSync(tmp, to);
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', ...options });
  if (result.error) throw new Error(`could not run ${command}: ${result.error.message}`);
  return result.status === 0;
}

// ---------------------------------------------------------------- a. node_modules

function ensureNodeModules() {
  const reason = whyNodeModulesAreStale();
  if (!reason) return;
  log(`installing npm dependencies (${reason})`);
  if (!run('npm', ['install', '--no-audit', '--no-fund'])) fail('npm install failed (see its output above)');
  markNodeModulesFresh();
}

function whyNodeModulesAreStale() {
  const installedAt = mtimeMs(path.join(NODE_MODULES, '.package-lock.json'));
  if (installedAt === undefined) return 'node_modules is missing';
  const lockedAt = mtimeMs(path.join(ROOT, 'package-lock.json'));
  if (lockedAt !== undefined && installedAt < lockedAt) return 'package-lock.json changed';
  const missing = declaredPackages().find((name) => !fs.existsSync(path.join(NODE_MODULES, name, 'package.json')));
  if (missing) return `${missing} is missing`;
  return undefined;
}

// devDependencies count too: `npm start` and `npm test` both build with tsc and vite.
function declaredPackages() {
  const pkg = readJson(path.join(ROOT, 'package.json'));
  return [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})];
}

// npm leaves the hidden lockfile untouched when nothing needed changing (e.g. after a
// checkout that only bumped package-lock.json's mtime); without this touch every later
// run would see it as stale and run npm install again.
function markNodeModulesFresh() {
  const hiddenLock = path.join(NODE_MODULES, '.package-lock.json');
  if (!fs.existsSync(hiddenLock)) return;
  const now = new Date();
  fs.utimesSync(hiddenLock, now, now);
}

// ---------------------------------------------------------------- b. mediasoup worker

async function ensureMediasoupWorker() {
  const override = process.env.MEDIASOUP_WORKER_BIN;
  if (override && fs.existsSync(override)) return;
  if (override) log(`MEDIASOUP_WORKER_BIN=${override} does not exist; using the bundled worker instead`);

  const cached = workerCachePath();
  if (isExecutableFile(WORKER_BIN)) {
    seedCacheFrom(WORKER_BIN, cached, 'mediasoup worker');
    return;
  }
  if (isExecutableFile(cached)) {
    copyExecutableAtomically(cached, WORKER_BIN);
    log(`mediasoup worker copied from cache ${cached}`);
    return;
  }
  await buildWorker();
  copyExecutableAtomically(WORKER_BIN, cached);
  log(`mediasoup worker built and cached in ${cached}`);
}

// A binary built by hand (or by an older setup) fills the cache too, so fresh clones
// on this machine, such as CI's, skip the build.
function seedCacheFrom(built, cached, what) {
  if (fs.existsSync(cached)) return;
  try {
    copyExecutableAtomically(built, cached);
    log(`${what} cached in ${cached}`);
  } catch (err) {
    log(`could not cache the ${what} (${err.message}); continuing`);
  }
}

function workerCachePath() {
  const version = readJson(path.join(MEDIASOUP_DIR, 'package.json')).version;
  const key = `${version}-${workerRecipeHash(version)}`;
  return cachePath('mediasoup-worker', key, 'mediasoup-worker');
}

// The patches of the worker's sources and the stand-in subprojects change what is built, so they
// are part of the key; a patch of mediasoup's Node library alone does not rebuild the worker.
function workerRecipeHash(version) {
  const hash = createHash('sha256');
  const workerPatches = mediasoupPatchFiles(version).filter((file) => fs.readFileSync(file, 'utf8').includes('diff --git a/node_modules/mediasoup/worker/'));
  for (const file of [...workerPatches, ...buildRecipeFiles()]) {
    hash.update(path.basename(file)).update(fs.readFileSync(file));
  }
  return hash.digest('hex').slice(0, 12);
}

// patch-package's sequenced patches: mediasoup+<version>+<n>+<reason>.patch.
function mediasoupPatchFiles(version) {
  const dir = path.join(ROOT, 'patches');
  const prefix = `mediasoup+${version}`;
  return fs
    .readdirSync(dir)
    .filter((name) => name.startsWith(prefix) && name.endsWith('.patch'))
    .sort()
    .map((name) => path.join(dir, name));
}

async function buildWorker() {
  ensureWorkerBuildPackages();
  applyPatches();
  log('generating stand-in meson subprojects for the Debian libraries');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'estrad-libsrtp-'));
  try {
    writeStandins(WORKER_SRC_DIR, unpackLibsrtpSources(scratch));
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  log('building the mediasoup worker from source (takes about 11 minutes on 2 cores)');
  const ok = (await runMesonSetup()) && (await runNinjaWithProgress());
  if (ok) {
    copyExecutableAtomically(path.join(WORKER_BUILD_DIR, 'mediasoup-worker'), WORKER_BIN);
    // Object files (hundreds of MB); a rebuild starts from a fresh meson setup anyway.
    fs.rmSync(WORKER_BUILD_DIR, { recursive: true, force: true });
  }
  if (!ok || !isExecutableFile(WORKER_BIN)) {
    fail(
      `building the mediasoup worker failed (last ${FAILURE_TAIL_LINES} lines of output above).\n` +
        `  It needs: sudo apt-get install ${WORKER_BUILD_PACKAGES.join(' ')}\n  ${MEDIASOUP_ALTERNATIVE}`,
    );
  }
}

function missingWorkerBuildParts() {
  const missing = WORKER_BUILD_COMMANDS.filter((command) => !findOnPath(command));
  if (missing.length === 0) {
    const probe = spawnSync('pkg-config', ['--exists', ...WORKER_PKG_CONFIG_MODULES]);
    if (probe.status !== 0) missing.push(`pkg-config modules ${WORKER_PKG_CONFIG_MODULES.join(' ')}`);
  }
  return missing;
}

function ensureWorkerBuildPackages() {
  const missing = missingWorkerBuildParts();
  if (missing.length === 0) return;
  const installCommand = `sudo apt-get install ${WORKER_BUILD_PACKAGES.join(' ')}`;
  if (!canAptInstall()) {
    fail(
      `the mediasoup worker must be built from source, but ${missing.join(', ')} is missing.\n` +
        `  Install the build packages with: ${installCommand}\n  ${MEDIASOUP_ALTERNATIVE}`,
    );
  }
  aptInstall(WORKER_BUILD_PACKAGES, 'the mediasoup worker build');
  const stillMissing = missingWorkerBuildParts();
  if (stillMissing.length > 0) fail(`${stillMissing.join(', ')} still missing after apt-get. Try: ${installCommand}`);
}

// npm pack fetches (or takes from npm's cache) the registry tarball and checks its integrity.
function unpackLibsrtpSources(dir) {
  log(`fetching libsrtp sources from ${LIBSRTP_SOURCE_PACKAGE} with npm pack`);
  // --loglevel=error: the notices would list all 11,635 files of the package.
  const args = ['pack', LIBSRTP_SOURCE_PACKAGE, '--pack-destination', dir, '--loglevel=error'];
  if (!run('npm', args, { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] })) {
    fail(`npm pack ${LIBSRTP_SOURCE_PACKAGE} failed (see its output above)`);
  }
  const tarball = path.join(dir, fs.readdirSync(dir).find((name) => name.endsWith('.tgz')) ?? 'missing.tgz');
  if (!run('tar', ['-xzf', tarball, '-C', dir, LIBSRTP_SOURCE_PATH])) fail(`could not unpack ${tarball}`);
  return path.join(dir, LIBSRTP_SOURCE_PATH);
}

function runMesonSetup() {
  fs.rmSync(WORKER_BUILD_DIR, { recursive: true, force: true });
  const args = ['setup', '--buildtype', 'release', '-Db_ndebug=true', '--wrap-mode=nodownload', WORKER_BUILD_DIR];
  return runWithProgress('meson setup', 'meson', args, process.env, { cwd: WORKER_SRC_DIR });
}

function runNinjaWithProgress() {
  const args = ['-C', WORKER_BUILD_DIR, '-j', String(os.availableParallelism()), 'mediasoup-worker'];
  return runWithProgress('mediasoup worker', 'ninja', args, process.env, {
    progressOf: (line) => {
      const step = /^\[(\d+\/\d+)\]/.exec(line)?.[1];
      return step && `step ${step}`;
    },
  });
}

function requireBuildTools(what, alternative = '') {
  const missing = BUILD_TOOLS.filter((tool) => !findOnPath(tool));
  if (missing.length === 0) return;
  fail(
    `${what} must be built from source, but ${missing.join(', ')} is not installed.\n` +
      `  Install them with: ${BUILD_TOOLS_INSTALL}${alternative ? `\n  ${alternative}` : ''}`,
  );
}

// Some patches change mediasoup's Node library, so they are applied whether or not the worker is
// built: after every npm install, and whenever patches/ holds one that patch-package's record in
// node_modules/mediasoup (.patch-package.json: file name and content hash) does not list as applied.
function ensurePatchesApplied() {
  const version = readJson(path.join(MEDIASOUP_DIR, 'package.json')).version;
  const record = path.join(MEDIASOUP_DIR, '.patch-package.json');
  const applied = fs.existsSync(record) ? readJson(record).patches.filter((patch) => patch.didApply) : [];
  const isApplied = (file) => {
    const contentHash = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    return applied.some((patch) => patch.patchFilename === path.basename(file) && patch.patchContentHash === contentHash);
  };
  if (mediasoupPatchFiles(version).every(isApplied)) return;
  applyPatches();
}

// patches/ holds the changes to mediasoup's sources, one file per reason.
// patch-package recognises patches that are already applied.
function applyPatches() {
  log('applying patches/ with patch-package');
  const ok = run('npx', ['--no', '--', 'patch-package', '--error-on-fail']);
  if (!ok) fail('patch-package could not apply patches/ (see its output above)');
}

// node-gyp's lines, one per compiled file.
function countCompiledFiles() {
  let compiled = 0;
  return (line) => {
    if (line.startsWith('  CXX(target)') || line.startsWith('  CC(target)')) compiled += 1;
    return `compiled ${compiled} files`;
  };
}

// Runs a compiler build quietly, logging how far it got (progressOf(line) names it)
// every STATUS_INTERVAL_MS and printing the tail of its output only if it fails.
// Resolves to whether it succeeded.
function runWithProgress(what, command, args, env, { cwd = ROOT, progressOf = countCompiledFiles() } = {}) {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });

  const startedAt = Date.now();
  const tail = [];
  let done = 'running';
  const onLine = (line) => {
    done = progressOf(line) ?? done;
    tail.push(line);
    if (tail.length > FAILURE_TAIL_LINES) tail.shift();
  };
  forEachLine(child.stdout, onLine);
  forEachLine(child.stderr, onLine);
  const progress = setInterval(() => {
    const seconds = Math.round((Date.now() - startedAt) / 1000);
    log(`${what}: ${done}, ${seconds}s elapsed`);
  }, STATUS_INTERVAL_MS);

  return new Promise((resolve) => {
    const finish = (ok, why) => {
      clearInterval(progress);
      if (!ok) {
        console.error(tail.join('\n'));
        if (why) console.error(`setup: ${why}`);
      }
      resolve(ok);
    };
    child.on('error', (err) => finish(false, `could not run ${command}: ${err.message}`));
    child.on('close', (code, signal) => finish(code === 0, code === 0 ? '' : `${command} exited with ${signal ?? code}`));
  });
}

function forEachLine(stream, onLine) {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    lines.forEach(onLine);
  });
  stream.on('end', () => {
    if (pending) onLine(pending);
  });
}

// ---------------------------------------------------------------- c. better-sqlite3 addon

async function ensureSqliteAddon() {
  const cached = sqliteAddonCachePath();
  if (fs.existsSync(SQLITE_ADDON)) {
    seedCacheFrom(SQLITE_ADDON, cached, 'better-sqlite3 addon');
    return;
  }
  if (fs.existsSync(cached)) {
    copyExecutableAtomically(cached, SQLITE_ADDON);
    log(`better-sqlite3 addon copied from cache ${cached}`);
    return;
  }
  await buildSqliteAddon();
  copyExecutableAtomically(SQLITE_ADDON, cached);
  log(`better-sqlite3 addon built and cached in ${cached}`);
}

// An addon only loads into the Node ABI it was compiled for, hence the modules version.
function sqliteAddonCachePath() {
  const version = readJson(path.join(SQLITE_DIR, 'package.json')).version;
  return cachePath('better-sqlite3', `${version}-node${process.versions.modules}`, 'better_sqlite3.node');
}

// Its install script tries a prebuilt download first (which fails offline) and then
// compiles the bundled SQLite with node-gyp; --foreground-scripts lets us see that output.
async function buildSqliteAddon() {
  requireBuildTools('the better-sqlite3 addon');
  log('building the better-sqlite3 addon from source (takes about a minute on 2 cores)');
  const args = ['rebuild', 'better-sqlite3', '--ignore-scripts=false', '--foreground-scripts'];
  const ok = await runWithProgress('better-sqlite3 addon', 'npm', args, process.env);
  if (!ok || !fs.existsSync(SQLITE_ADDON)) {
    fail(
      `building the better-sqlite3 addon failed (last ${FAILURE_TAIL_LINES} lines of output above).\n` +
        `  It needs python3, make and a C++ compiler: ${BUILD_TOOLS_INSTALL}`,
    );
  }
}

// ---------------------------------------------------------------- d. test tools

// The tests drive Debian's ffmpeg/ffprobe and a real Chromium through playwright-core,
// which never downloads a browser of its own here.
const TEST_TOOLS = [
  { debianPackage: 'ffmpeg', present: () => Boolean(findOnPath('ffmpeg')) && Boolean(findOnPath('ffprobe')) },
  { debianPackage: 'chromium', present: () => isExecutableFile('/usr/bin/chromium') },
];

function ensureTestTools() {
  const missing = missingTestPackages();
  if (missing.length === 0) return;
  const installCommand = `sudo apt-get install ${missing.join(' ')}`;
  if (!canAptInstall()) fail(`the tests need ${missing.join(' and ')}. Install with: ${installCommand}`);

  const ok = aptInstall(missing, 'the tests');
  const stillMissing = missingTestPackages();
  if (!ok || stillMissing.length > 0) fail(`could not install ${stillMissing.join(' ') || missing.join(' ')}. Try: ${installCommand}`);
}

function aptInstall(packages, forWhat) {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log(`installing ${packages.join(' ')} for ${forWhat}: apt-get update`);
  if (!run('apt-get', ['update'], { env })) log('apt-get update failed; trying to install from the current package lists');
  log(`apt-get install -y --no-install-recommends ${packages.join(' ')}`);
  return run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env });
}

function missingTestPackages() {
  return TEST_TOOLS.filter((tool) => !tool.present()).map((tool) => tool.debianPackage);
}

function canAptInstall() {
  return process.getuid?.() === 0 && Boolean(findOnPath('apt-get'));
}
