// mediasoup's meson build loads every dependency as a subproject that a .wrap file
// would download. Offline, each one is replaced by a stand-in written into the
// directory the .wrap file names (meson uses an existing directory as it is): it
// returns the Debian library found by pkg-config under the names mediasoup's
// meson.build asks for. Only libsrtp is compiled here, from sources, on OpenSSL.
// Node built-ins only: setup runs this before node_modules is complete.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const COMPAT_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'compat');

// meson.build links these into libmediasoup-worker (a library Estrad never builds)
// with link_whole, which takes only build targets; an empty archive satisfies it.
const EMPTY_SOURCE = '/* Stand-in archive: the real library comes from the system (pkg-config). */\n';

function emptyArchive(name) {
  return `${name} = static_library('${name}-standin', 'standin.c')`;
}

function systemDependency(variable, ...pkgConfigNames) {
  const deps = pkgConfigNames.map((name) => `dependency('${name}')`).join(', ');
  return `${variable} = declare_dependency(dependencies: [${deps}])`;
}

function booleanOption(name) {
  return `option('${name}', type: 'boolean', value: false)`;
}

// wrap: worker/subprojects/<wrap>.wrap names the directory; options: those mediasoup passes.
const STANDINS = [
  {
    wrap: 'libuv',
    lines: [systemDependency('libuv_dep', 'libuv'), emptyArchive('libuv')],
    options: [booleanOption('build_tests'), booleanOption('build_benchmarks')],
  },
  {
    wrap: 'openssl',
    lines: [systemDependency('openssl_dep', 'openssl'), emptyArchive('libcrypto_lib'), emptyArchive('libssl_lib')],
  },
  {
    wrap: 'flatbuffers',
    lines: [systemDependency('flatbuffers_dep', 'flatbuffers'), emptyArchive('flatbuffers_lib')],
  },
  {
    wrap: 'abseil-cpp',
    lines: [
      systemDependency('absl_container_dep', 'absl_flat_hash_map', 'absl_flat_hash_set'),
      systemDependency('absl_strings_dep', 'absl_strings'),
      systemDependency('absl_types_dep', 'absl_optional', 'absl_variant'),
      emptyArchive('absl_container_lib'),
    ],
  },
  {
    wrap: 'unordered-dense',
    lines: [`ankerl_unordered_dense_dep = declare_dependency(include_directories: include_directories('include'))`],
    copy: [['ankerl/unordered_dense.h', 'include/ankerl/unordered_dense.h']],
  },
  {
    wrap: 'libsrtp3',
    lines: libsrtpLines(),
    options: [
      `option('crypto-library', type: 'combo', choices: ['openssl'], value: 'openssl')`,
      `option('crypto-library-kdf', type: 'feature', value: 'disabled')`,
      `option('tests', type: 'feature', value: 'disabled')`,
    ],
    copy: [['srtp.h', 'compat/srtp.h']],
    needsLibsrtpSources: true,
  },
];

// libsrtp 2.3 on OpenSSL (AES-NI), configured as mediasoup 3.8.4's libsrtp.gyp did.
// Debian's libsrtp2 is built on NSS, whose AES is 4-8x slower per packet.
function libsrtpLines() {
  const sources = [
    'srtp/srtp/srtp.c',
    'srtp/srtp/ekt.c',
    'srtp/crypto/cipher/cipher.c',
    'srtp/crypto/cipher/null_cipher.c',
    'srtp/crypto/cipher/aes_icm_ossl.c',
    'srtp/crypto/cipher/aes_gcm_ossl.c',
    'srtp/crypto/hash/auth.c',
    'srtp/crypto/hash/null_auth.c',
    'srtp/crypto/hash/hmac_ossl.c',
    'srtp/crypto/kernel/alloc.c',
    'srtp/crypto/kernel/crypto_kernel.c',
    'srtp/crypto/kernel/err.c',
    'srtp/crypto/kernel/key.c',
    'srtp/crypto/math/datatypes.c',
    'srtp/crypto/math/stat.c',
    'srtp/crypto/replay/rdb.c',
    'srtp/crypto/replay/rdbx.c',
    'srtp/crypto/replay/ut_sim.c',
  ];
  const defines = [
    'HAVE_CONFIG_H',
    'OPENSSL',
    'GCM',
    'CPU_CISC',
    'HAVE_STDLIB_H',
    'HAVE_STRING_H',
    'HAVE_STDINT_H',
    'HAVE_INTTYPES_H',
    'HAVE_INT8_T',
    'HAVE_INT16_T',
    'HAVE_INT32_T',
    'HAVE_UINT8_T',
    'HAVE_UINT16_T',
    'HAVE_UINT32_T',
    'HAVE_UINT64_T',
    'HAVE_ARPA_INET_H',
    'HAVE_NETINET_IN_H',
    'HAVE_SYS_TYPES_H',
    'HAVE_UNISTD_H',
  ];
  const list = (items) => `[\n  ${items.map((item) => `'${item}'`).join(',\n  ')},\n]`;
  return [
    `crypto_dep = dependency('openssl')`,
    `libsrtp3 = static_library('libsrtp3', ${list(sources)},\n` +
      `  c_args: ${list(defines.map((define) => `-D${define}`))},\n` +
      `  include_directories: include_directories('config', 'srtp/include', 'srtp/crypto/include'),\n` +
      `  dependencies: crypto_dep,\n)`,
    // Only the compat header is exported: it includes libsrtp 2's srtp.h itself.
    `libsrtp3_dep = declare_dependency(include_directories: include_directories('compat'), link_with: libsrtp3, dependencies: crypto_dep)`,
  ];
}

function wrapDirectory(subprojectsDir, wrap) {
  const text = fs.readFileSync(path.join(subprojectsDir, `${wrap}.wrap`), 'utf8');
  const match = /^directory\s*=\s*(\S+)/m.exec(text);
  if (!match) throw new Error(`${wrap}.wrap names no directory`);
  return path.join(subprojectsDir, match[1]);
}

/**
 * Writes every stand-in under workerDir/subprojects. libsrtpDir holds `srtp/` (the
 * libsrtp source tree) and `config/config.h`, as in mediasoup 3.8.4's worker/deps/libsrtp.
 */
export function writeStandins(workerDir, libsrtpDir) {
  const subprojectsDir = path.join(workerDir, 'subprojects');
  for (const standin of STANDINS) {
    const dir = wrapDirectory(subprojectsDir, standin.wrap);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const header = `# Generated by Estrad's scripts/mediasoup-worker/standins.mjs: stands in for ${standin.wrap}.wrap offline.`;
    const project = `project('${standin.wrap}-standin', 'c')`;
    fs.writeFileSync(path.join(dir, 'meson.build'), [header, project, ...standin.lines].join('\n') + '\n');
    fs.writeFileSync(path.join(dir, 'standin.c'), EMPTY_SOURCE);
    if (standin.options) fs.writeFileSync(path.join(dir, 'meson_options.txt'), standin.options.join('\n') + '\n');
    for (const [from, to] of standin.copy ?? []) {
      fs.mkdirSync(path.dirname(path.join(dir, to)), { recursive: true });
      fs.copyFileSync(path.join(COMPAT_DIR, from), path.join(dir, to));
    }
    if (standin.needsLibsrtpSources) {
      fs.cpSync(path.join(libsrtpDir, 'srtp'), path.join(dir, 'srtp'), { recursive: true });
      fs.cpSync(path.join(libsrtpDir, 'config'), path.join(dir, 'config'), { recursive: true });
    }
  }
}

/** Files whose content changes the built worker (for the cache key). */
export function buildRecipeFiles() {
  return [fileURLToPath(import.meta.url), path.join(COMPAT_DIR, 'srtp.h'), path.join(COMPAT_DIR, 'ankerl', 'unordered_dense.h')];
}
