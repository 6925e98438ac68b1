/**
 * Environment configuration, validated once at start-up. Every variable is listed in .env.example;
 * a bad value stops the server with one line per problem saying which variable and what is expected.
 */
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { z } from 'zod';
import { technicianPasswordSchema, technicianUsernameSchema } from '../../shared/protocol.js';
import { isProxyAddress, type ProxyTrustSetting } from '../http/clientAddress.js';

const boolean = z.enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off']).transform((value) => ['1', 'true', 'yes', 'on'].includes(value));

const port = z.coerce.number().int().min(1).max(65535);

/**
 * 0/false: no proxy, the socket's peer is the client. A number n: n proxies stand in front, each
 * appending the address it saw, so the client is the n-th address from the right end of
 * X-Forwarded-For. A list: the proxies' addresses or CIDRs (or proxy-addr's names loopback,
 * linklocal, uniquelocal); the client is the first address from the right that is not one of them.
 * "true" (believe every hop) is refused: the left end of X-Forwarded-For is whatever a client sent.
 */
const proxyTrustSetting = z.string().transform((value, context): ProxyTrustSetting => {
  const text = value.trim().toLowerCase();
  if (['0', 'false', 'no', 'off'].includes(text)) return false;
  if (/^\d+$/.test(text) && Number(text) <= 10) return Number(text);
  const list = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const bad = list.find((entry) => !isProxyAddress(entry));
  if (list.length > 0 && bad === undefined) return list;
  context.addIssue({
    code: 'custom',
    message: ['true', 'yes', 'on'].includes(text)
      ? 'no longer trusts every hop, which let any client choose its address: give the number of proxies in front of Estrad (e.g. 1) or their addresses (e.g. 127.0.0.1)'
      : `expected 0, a number of proxies (1-10), or a comma-separated list of proxy addresses/CIDRs${bad ? ` ("${bad}" is neither)` : ''}`,
  });
  return z.NEVER;
});

/** "9000" or "9000-9009": the listen ports SRT or RTMP ingest points are given, one each. */
const portRange = z
  .string()
  .regex(/^\d+(-\d+)?$/, 'expected a port or a range such as 9000-9009')
  .transform((text) => text.split('-').map(Number))
  .transform(([first, last = first], context) => {
    if (first! < 1 || last! > 65535 || first! > last!) {
      context.addIssue({ code: 'custom', message: 'expected ports between 1 and 65535, the first not greater than the last' });
      return z.NEVER;
    }
    return { first: first!, last: last! };
  });

const ipAddress = z.union([z.ipv4(), z.ipv6()], { error: 'expected an IPv4 or IPv6 address' });

/** "https://a.example, https://b.example": http(s) origins, none when unset. */
const originList = z
  .string()
  .transform((list) =>
    list
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.url({ protocol: /^https?$/, error: 'expected a comma-separated list of http(s) origins' })))
  .default([]);

const envSchema = z
  .object({
    PORT: port.default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    DATA_DIR: z.string().min(1).default('./data'),
    RECORDINGS_DIR: z.string().min(1).default('./recordings'),
    DEMO: boolean.default(true),
    /** Codec of the demo test pattern: H.264 is recorded as it is; VP8 costs a transcode. */
    DEMO_CODEC: z.enum(['VP8', 'H264']).default('H264'),
    RTC_LISTEN_IP: ipAddress.default('0.0.0.0'),
    /** Address put in ICE candidates; needed when RTC_LISTEN_IP is 0.0.0.0 or behind NAT. */
    RTC_ANNOUNCED_IP: ipAddress.optional(),
    /** WebRTC media of every viewer and speaker: worker n listens on UDP and TCP RTC_PORT + n. */
    RTC_PORT: port.default(40000),
    /** TCP for WebRTC on another port than RTC_PORT (worker n on RTC_TCP_PORT + n), e.g. one a strict firewall allows. */
    RTC_TCP_PORT: port.optional(),
    /** Loopback-only UDP ports of plain RTP (recording tap, local ingest); never opened in a firewall. */
    RTC_MIN_PORT: port.default(41000),
    RTC_MAX_PORT: port.default(41999),
    MEDIASOUP_WORKERS: z.coerce.number().int().min(1).max(64).default(availableParallelism()),
    /**
     * Consumers that count as a worker's full load when placing viewers (with its measured CPU,
     * see server/media/placement.ts); a viewer of a speaker is two. Measured with bench:viewers
     * (issue 5): a viewer of a 720p 1.5 Mbit/s speaker, congestion-control feedback included, costs
     * a worker about 2.2 ms of CPU per second, so 600 consumers keep it near 0.65 of a core.
     */
    WORKER_CONSUMER_BUDGET: z.coerce.number().int().min(2).max(100_000).default(600),
    /** Listen ports of SRT ingest points (one port per point). */
    INGEST_SRT_PORTS: portRange.default({ first: 9000, last: 9009 }),
    /** Listen ports of RTMP ingest points: 1935, the port encoders assume, or a range for several points. */
    INGEST_RTMP_PORTS: portRange.default({ first: 1935, last: 1935 }),
    /** The video bitrate above which an ingest's pre-flight check warns (viewers' connections). */
    INGEST_MAX_BITRATE_KBPS: z.coerce.number().int().min(100).max(100_000).default(6000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    FFMPEG_PATH: z.string().min(1).optional(),
    /** Origins (scheme://host[:port]) other than the server's own that may call the API, e.g. an embed. */
    CORS_ORIGINS: originList,
    /** Origins whose pages may show /embed/<stage> in a frame (CSP frame-ancestors of the embed page only). */
    EMBED_ORIGINS: originList,
    /** Which X-Forwarded-* hops to believe: none, how many proxies stand in front, or their addresses. */
    TRUST_PROXY: proxyTrustSetting.default(false),
    /** The first technician, created at start-up when no technician of that name exists. */
    ADMIN_USERNAME: technicianUsernameSchema.optional(),
    ADMIN_PASSWORD: technicianPasswordSchema.optional(),
    LOGIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(10),
    REGISTRATION_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
    QUESTION_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(6),
    /** Chat messages one attendee may send a minute on a stage (a stage's slow mode may ask for fewer). */
    CHAT_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(10),
    /** The largest "we are N here" an attendee's question votes weigh. */
    QUESTION_GROUP_SIZE_MAX: z.coerce.number().int().min(1).max(1000).default(20),
    /** Bearer token for GET /metrics; unset, /metrics answers only requests from this machine. */
    /** Seconds a WebRTC transport may stay unconnected before it is closed (its client may make another). */
    RTC_TRANSPORT_CONNECT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(20),
    /** Unconnected WebRTC transports one client address may hold at once. */
    RTC_PENDING_TRANSPORTS_PER_ADDRESS: z.coerce.number().int().min(1).max(100_000).default(40),
    /** Stage memberships (viewers, speakers) one client address may hold at once; raise it for a venue behind one NAT address. */
    RTC_PEERS_PER_ADDRESS: z.coerce.number().int().min(1).max(1_000_000).default(2000),
    /**
     * Seconds an HTTP connection may stay silent (no request, no bytes) before it is closed. Above
     * socket.io's 10 s ping interval, which a long-polling client's request waits for.
     */
    HTTP_IDLE_TIMEOUT_SECONDS: z.coerce.number().int().min(15).max(3600).default(30),
    /** Password and access-code hashes computed at once; the rest wait, so file serving keeps threads. */
    PASSWORD_HASH_CONCURRENCY: z.coerce
      .number()
      .int()
      .min(1)
      .max(64)
      .default(Math.max(1, Math.floor(availableParallelism() / 2))),
    /** Sign-ins that may wait for a hash; more are answered 503 with Retry-After. */
    PASSWORD_HASH_QUEUE: z.coerce.number().int().min(0).max(10_000).default(32),
    /** Replay downloads remuxed at once; more are answered 503 with Retry-After. */
    REPLAY_DOWNLOAD_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
    METRICS_TOKEN: z
      .string()
      .min(16, 'use at least 16 characters, e.g. from "openssl rand -hex 24"')
      .max(256)
      .regex(/^[\x21-\x7e]+$/, 'use printable ASCII without spaces (it travels in an HTTP header)')
      .optional(),
  })
  .refine((env) => env.RTC_MIN_PORT <= env.RTC_MAX_PORT, {
    message: 'RTC_MIN_PORT must not be greater than RTC_MAX_PORT',
    path: ['RTC_MIN_PORT'],
  })
  .refine((env) => rtcPortsOf(env).every((first) => first + env.MEDIASOUP_WORKERS - 1 <= 65535), {
    message: 'RTC_PORT (and RTC_TCP_PORT) plus MEDIASOUP_WORKERS - 1 must be a port number (at most 65535)',
    path: ['RTC_PORT'],
  })
  .refine((env) => rtcPortsOf(env).every((first) => first + env.MEDIASOUP_WORKERS - 1 < env.RTC_MIN_PORT || first > env.RTC_MAX_PORT), {
    message: 'the ports RTC_PORT (and RTC_TCP_PORT) to + MEDIASOUP_WORKERS - 1 must lie outside RTC_MIN_PORT–RTC_MAX_PORT',
    path: ['RTC_PORT'],
  })
  .refine((env) => (env.ADMIN_USERNAME === undefined) === (env.ADMIN_PASSWORD === undefined), {
    message: 'set ADMIN_USERNAME and ADMIN_PASSWORD together',
    path: ['ADMIN_USERNAME'],
  });

/** First WebRTC ports of worker 0: UDP and TCP on RTC_PORT, TCP on RTC_TCP_PORT when set. */
function rtcPortsOf(env: { RTC_PORT: number; RTC_TCP_PORT?: number | undefined }): number[] {
  return env.RTC_TCP_PORT === undefined ? [env.RTC_PORT] : [env.RTC_PORT, env.RTC_TCP_PORT];
}

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  recordingsDir: string;
  demo: { enabled: boolean; codec: 'VP8' | 'H264' };
  rtc: {
    listenIp: string;
    announcedIp: string | undefined;
    /** Worker n's WebRtcServer listens on udpPort + n and tcpPort + n. */
    udpPort: number;
    tcpPort: number;
    /** Loopback plain-RTP port range. */
    minPort: number;
    maxPort: number;
  };
  mediasoup: { workers: number; consumerBudgetPerWorker: number };
  ingest: { srtPorts: PortRange; rtmpPorts: PortRange; maxBitrateKbps: number };
  logLevel: string;
  ffmpegPath: string | undefined;
  http: { corsOrigins: string[]; embedOrigins: string[]; trustProxy: ProxyTrustSetting };
  admin: { username: string; password: string } | undefined;
  rateLimitsPerMinute: { login: number; registration: number; question: number; chat: number };
  questions: { maxGroupSize: number };
  metrics: { token: string | undefined };
  /** What one client may hold, and how much work runs at once, so nobody can exhaust the server. */
  limits: {
    transportConnectTimeoutMs: number;
    pendingTransportsPerAddress: number;
    peersPerAddress: number;
    httpIdleTimeoutMs: number;
    passwordHashConcurrency: number;
    passwordHashQueue: number;
    replayDownloads: number;
  };
}

export interface PortRange {
  first: number;
  last: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}\nSee .env.example for every variable and its default.`);
    this.name = 'ConfigError';
  }
}

/** Treats empty strings as unset, so `PORT=` in a shell behaves like no PORT at all. */
function withoutEmptyValues(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== ''));
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(withoutEmptyValues(env));
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.');
        const given = env[name];
        return `${name}: ${issue.message}${given === undefined ? '' : ` (got "${given}")`}`;
      }),
    );
  }
  const values = parsed.data;
  return {
    port: values.PORT,
    host: values.HOST,
    dataDir: resolve(values.DATA_DIR),
    recordingsDir: resolve(values.RECORDINGS_DIR),
    demo: { enabled: values.DEMO, codec: values.DEMO_CODEC },
    rtc: {
      listenIp: values.RTC_LISTEN_IP,
      announcedIp: values.RTC_ANNOUNCED_IP ?? (values.RTC_LISTEN_IP === '0.0.0.0' ? '127.0.0.1' : undefined),
      udpPort: values.RTC_PORT,
      tcpPort: values.RTC_TCP_PORT ?? values.RTC_PORT,
      minPort: values.RTC_MIN_PORT,
      maxPort: values.RTC_MAX_PORT,
    },
    mediasoup: { workers: values.MEDIASOUP_WORKERS, consumerBudgetPerWorker: values.WORKER_CONSUMER_BUDGET },
    ingest: { srtPorts: values.INGEST_SRT_PORTS, rtmpPorts: values.INGEST_RTMP_PORTS, maxBitrateKbps: values.INGEST_MAX_BITRATE_KBPS },
    logLevel: values.LOG_LEVEL,
    ffmpegPath: values.FFMPEG_PATH,
    http: {
      corsOrigins: values.CORS_ORIGINS.map((origin) => new URL(origin).origin),
      embedOrigins: values.EMBED_ORIGINS.map((origin) => new URL(origin).origin),
      trustProxy: values.TRUST_PROXY,
    },
    admin: values.ADMIN_USERNAME && values.ADMIN_PASSWORD ? { username: values.ADMIN_USERNAME, password: values.ADMIN_PASSWORD } : undefined,
    rateLimitsPerMinute: {
      login: values.LOGIN_RATE_LIMIT_PER_MINUTE,
      registration: values.REGISTRATION_RATE_LIMIT_PER_MINUTE,
      question: values.QUESTION_RATE_LIMIT_PER_MINUTE,
      chat: values.CHAT_RATE_LIMIT_PER_MINUTE,
    },
    questions: { maxGroupSize: values.QUESTION_GROUP_SIZE_MAX },
    metrics: { token: values.METRICS_TOKEN },
    limits: {
      transportConnectTimeoutMs: values.RTC_TRANSPORT_CONNECT_TIMEOUT_SECONDS * 1000,
      pendingTransportsPerAddress: values.RTC_PENDING_TRANSPORTS_PER_ADDRESS,
      peersPerAddress: values.RTC_PEERS_PER_ADDRESS,
      httpIdleTimeoutMs: values.HTTP_IDLE_TIMEOUT_SECONDS * 1000,
      passwordHashConcurrency: values.PASSWORD_HASH_CONCURRENCY,
      passwordHashQueue: values.PASSWORD_HASH_QUEUE,
      replayDownloads: values.REPLAY_DOWNLOAD_CONCURRENCY,
    },
  };
}
