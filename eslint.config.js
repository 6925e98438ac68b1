// @ts-check
/**
 * Lint: typescript-eslint's type-aware rules (promises nobody waits for, `any` leaking into typed
 * code) and the architecture's import rules (README "Layout"), checked by `npm test`.
 * Formatting is Prettier's (eslint-config-prettier turns off every rule it decides).
 */
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** `no-restricted-imports` patterns, by what a folder may not import. */
const mediasoup = { group: ['mediasoup', 'mediasoup/*'], message: 'mediasoup is imported only in server/media/.' };
const fluentFfmpeg = { group: ['fluent-ffmpeg'], message: 'fluent-ffmpeg is imported only in server/recording/ffmpegProcess.ts.' };
const serverCode = { group: ['**/server/**', '**/scripts/**'], message: 'The client runs in the browser: it shares only shared/ with the server.' };
/**
 * Storage is reached through the services that own it. There is no such service layer yet: the
 * HTTP handlers and signalling import the repositories directly. The rule encodes what is true
 * now, the repositories each folder already uses; any other storage import fails.
 */
function storageExcept(...modules) {
  return {
    group: ['**/storage/*', ...modules.map((name) => `!**/storage/${name}.js`)],
    message: 'Storage is reached through the service that owns it; this folder may not import that repository.',
  };
}
const storageForHttp = storageExcept(
  'archive',
  'auditLog',
  'attendance',
  'errors',
  'events',
  'ingestPoints',
  'invites',
  'programme',
  'questions',
  'recordings',
  'registrations',
  'registrationsCsv',
  'replays',
  'stages',
  'talks',
  'technicians',
  'validation',
);
const storageForSignalling = storageExcept('viewings');
/** The conference model's rules are pure: storage calls them, never the other way (the database's time shape aside). */
const storageForDomain = {
  ...storageExcept('time'),
  message: 'server/domain/ is the conference model without the database: storage calls it, not the other way.',
};

function restrict(...patterns) {
  return { 'no-restricted-imports': ['error', { patterns }] };
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'bench/results/', 'recordings/', 'data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['*.js', '*.mjs', 'scripts/*.mjs', 'vite.config.ts', 'vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Fastify's idiom is an async handler that returns its answer, awaiting or not.
      '@typescript-eslint/require-await': 'off',
      // A variable a closure reads before its one assignment (app.ts: io) cannot be const.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  { files: ['client/**'], languageOptions: { globals: { ...globals.browser } } },
  // Casts between mediasoup's types and the protocol's JSON types: needed or not depending on
  // the mediasoup version, so not flagged where they are made.
  { files: ['server/media/**', 'client/src/live/session.ts'], rules: { '@typescript-eslint/no-unnecessary-type-assertion': 'off' } },
  // vitest's asymmetric matchers (expect.any, expect.stringMatching) are typed any.
  { files: ['test/**'], rules: { '@typescript-eslint/no-unsafe-assignment': 'off' } },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },

  // The architecture's import rules. Later entries for the same files replace earlier ones, so
  // each folder's entry lists everything that folder may not import.
  { files: ['server/**/*.ts', 'scripts/**/*.ts'], ignores: ['server/media/**'], rules: restrict(mediasoup, fluentFfmpeg) },
  { files: ['server/media/**/*.ts'], rules: restrict(fluentFfmpeg) },
  { files: ['server/recording/ffmpegProcess.ts'], rules: restrict(mediasoup) },
  { files: ['server/http/**/*.ts'], rules: restrict(mediasoup, fluentFfmpeg, storageForHttp) },
  { files: ['server/signalling/**/*.ts'], rules: restrict(mediasoup, fluentFfmpeg, storageForSignalling) },
  { files: ['server/domain/**/*.ts'], rules: restrict(mediasoup, fluentFfmpeg, storageForDomain) },
  { files: ['client/**/*.ts'], rules: restrict(mediasoup, fluentFfmpeg, serverCode) },
  {
    files: ['shared/**/*.ts'],
    rules: restrict(mediasoup, fluentFfmpeg, { group: ['**/server/**', '**/client/**', '**/scripts/**'], message: 'shared/ depends on nothing of ours.' }),
  },
  prettier,
);
