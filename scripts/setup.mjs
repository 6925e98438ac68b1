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

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const NODE_MODULES = path.join(ROOT, 'node_modules');
const MEDIASOUP_DIR = path.join(NODE_MODULES, 'mediasoup');
const WORKER_SRC_DIR = path.join(MEDIASOUP_DIR, 'worker');
// mediasoup 3.8.x spawns this path unless MEDIASOUP_WORKER_BIN is set.
const WORKER_BIN = path.join(WORKER_SRC_DIR, 'out', 'Release', 'mediasoup-worker');
const SQLITE_DIR = path.join(NODE_MODULES, 'better-sqlite3');
// The `bindings` package finds the addon here; install scripts (which would build it) are off.
const SQLITE_ADDON = path.join(SQLITE_DIR, 'build', 'Release', 'better_sqlite3.node');
const STATUS_INTERVAL_MS = 10_000;
const FAILURE_TAIL_LINES = 50;
const BUILD_TOOLS = ['python3', 'make', 'g++'];
const BUILD_TOOLS_INSTALL = `sudo apt-get install ${BUILD_TOOLS.join(' ')}`;
const MEDIASOUP_ALTERNATIVE = 'Or point MEDIASOUP_WORKER_BIN at an already built mediasoup-worker 3.8.x binary.';

const forTests = process.argv.includes('--for-tests');

main().catch((err) => fail(err instanceof Error ? err.message : String(err)));

async function main() {
  const startedAt = Date.now();
  ensureNodeModules();
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
  const key = `${version}-${mediasoupPatchHash(version)}`;
  return cachePath('mediasoup-worker', key, 'mediasoup-worker');
}

// The patch changes how the worker builds, so it is part of the cache key.
function mediasoupPatchHash(version) {
  const patch = mediasoupPatchFile(version);
  if (!fs.existsSync(patch)) return 'unpatched';
  return createHash('sha256').update(fs.readFileSync(patch)).digest('hex').slice(0, 12);
}

function mediasoupPatchFile(version) {
  return path.join(ROOT, 'patches', `mediasoup+${version}.patch`);
}

async function buildWorker() {
  requireBuildTools('the mediasoup worker', MEDIASOUP_ALTERNATIVE);
  applyPatches();
  log('building the mediasoup worker from source (takes about 4 minutes on 2 cores)');
  const ok = await runMakeWithProgress();
  if (!ok || !isExecutableFile(WORKER_BIN)) {
    fail(
      `building the mediasoup worker failed (last ${FAILURE_TAIL_LINES} lines of output above).\n` +
        `  It needs python3, make and a C++ compiler: ${BUILD_TOOLS_INSTALL}\n  ${MEDIASOUP_ALTERNATIVE}`,
    );
  }
}

function requireBuildTools(what, alternative = '') {
  const missing = BUILD_TOOLS.filter((tool) => !findOnPath(tool));
  if (missing.length === 0) return;
  fail(
    `${what} must be built from source, but ${missing.join(', ')} is not installed.\n` +
      `  Install them with: ${BUILD_TOOLS_INSTALL}${alternative ? `\n  ${alternative}` : ''}`,
  );
}

// The pristine mediasoup 3.8.4 worker does not build with Python >= 3.10 or glibc >= 2.34;
// patches/ holds the fixes. patch-package recognises patches that are already applied.
function applyPatches() {
  log('applying patches/ with patch-package');
  const ok = run('npx', ['--no', '--', 'patch-package', '--error-on-fail']);
  if (!ok) fail('patch-package could not apply patches/ (see its output above)');
}

function runMakeWithProgress() {
  const env = { ...process.env, PYTHON: 'python3', CORES: String(os.availableParallelism()) };
  // The worker Makefile builds nothing at all when this is set.
  delete env.MEDIASOUP_WORKER_BIN;
  return runWithProgress('mediasoup worker', 'make', ['-C', WORKER_SRC_DIR], env);
}

// Runs a compiler build quietly, logging how far it got every STATUS_INTERVAL_MS and
// printing the tail of its output only if it fails. Resolves to whether it succeeded.
function runWithProgress(what, command, args, env) {
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });

  const startedAt = Date.now();
  const tail = [];
  let compiled = 0;
  const onLine = (line) => {
    if (line.startsWith('  CXX(target)') || line.startsWith('  CC(target)')) compiled += 1;
    tail.push(line);
    if (tail.length > FAILURE_TAIL_LINES) tail.shift();
  };
  forEachLine(child.stdout, onLine);
  forEachLine(child.stderr, onLine);
  const progress = setInterval(() => {
    const seconds = Math.round((Date.now() - startedAt) / 1000);
    log(`${what}: compiled ${compiled} files, ${seconds}s elapsed`);
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

  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  log(`installing ${missing.join(' ')} for the tests: apt-get update`);
  if (!run('apt-get', ['update'], { env })) log('apt-get update failed; trying to install from the current package lists');
  log(`apt-get install -y --no-install-recommends ${missing.join(' ')}`);
  const ok = run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env });
  const stillMissing = missingTestPackages();
  if (!ok || stillMissing.length > 0) fail(`could not install ${stillMissing.join(' ') || missing.join(' ')}. Try: ${installCommand}`);
}

function missingTestPackages() {
  return TEST_TOOLS.filter((tool) => !tool.present()).map((tool) => tool.debianPackage);
}

function canAptInstall() {
  return process.getuid?.() === 0 && Boolean(findOnPath('apt-get'));
}
