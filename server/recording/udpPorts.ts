/**
 * UDP ports for ffmpeg to receive a tap on: an even RTP port and the odd RTCP port above it, as
 * ffmpeg's RTP input expects (it listens for RTCP on the RTP port + 1).
 */
import { createSocket, type Socket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import type { TapDestination } from '../media/index.js';

const MAX_ATTEMPTS_PER_PAIR = 50;
const LISTEN_POLL_MS = 50;

/**
 * Finds `count` free port pairs by binding them (the kernel picks; we keep the even/odd pairs
 * that are both free). They are released before returning, for ffmpeg to bind a moment later;
 * if another process wins that race, ffmpeg fails to start and the run is retried.
 */
export async function findFreePortPairs(count: number): Promise<TapDestination[]> {
  const held: Socket[] = [];
  const pairs: TapDestination[] = [];
  try {
    for (let index = 0; index < count; index++) pairs.push(await holdPortPair(held));
    return pairs;
  } finally {
    for (const socket of held) socket.close();
  }
}

async function holdPortPair(held: Socket[]): Promise<TapDestination> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS_PER_PAIR; attempt++) {
    const first = await bindUdp(0);
    if (!first) continue;
    held.push(first);
    const port = first.address().port;
    const rtpPort = port - (port % 2);
    const partner = await bindUdp(rtpPort === port ? port + 1 : rtpPort);
    if (!partner) continue;
    held.push(partner);
    return { port: rtpPort, rtcpPort: rtpPort + 1 };
  }
  throw new Error('no free UDP port pair for the recorder');
}

function bindUdp(port: number): Promise<Socket | undefined> {
  if (port > 65535) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    // All addresses, as ffmpeg binds: a port taken on any address is not free for it.
    socket.bind({ port, address: '0.0.0.0', exclusive: true }, () => resolve(socket));
  });
}

/**
 * Resolves once something listens on every given UDP port (ffmpeg has opened its input), as
 * /proc/net/udp shows; false after `timeoutMs` or when /proc cannot tell (not Linux).
 */
export async function waitUntilListening(ports: number[], timeoutMs: number, stillWaiting: () => boolean): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && stillWaiting()) {
    const listening = await listeningUdpPorts();
    if (!listening) return false;
    if (ports.every((port) => listening.has(port))) return true;
    await new Promise((resolve) => setTimeout(resolve, LISTEN_POLL_MS));
  }
  return false;
}

async function listeningUdpPorts(): Promise<Set<number> | undefined> {
  const tables = await Promise.all(['/proc/net/udp', '/proc/net/udp6'].map((path) => readFile(path, 'utf8').catch(() => undefined)));
  if (tables.every((table) => table === undefined)) return undefined;
  const ports = new Set<number>();
  for (const table of tables) {
    // "  sl  local_address rem_address ...", then rows like "  12: 0100007F:A41C 00000000:0000 07 ..."
    for (const line of table?.split('\n').slice(1) ?? []) {
      const localAddress = line.trim().split(/\s+/)[1];
      const portHex = localAddress?.split(':').at(-1);
      if (portHex) ports.add(parseInt(portHex, 16));
    }
  }
  return ports;
}

/**
 * Tells ffmpeg's RTP input that the senders have left: an RTCP BYE on every track's RTCP port
 * makes ffmpeg end its input as at the end of a file, so it writes its last segment and closes
 * its playlist, even when no media arrives any more (a stopped ffmpeg waits for input otherwise).
 * Sent as a compound RR + BYE, since ffmpeg ignores RTCP packets shorter than 12 bytes.
 */
export async function sendRtcpBye(rtcpPorts: number[]): Promise<void> {
  const socket = createSocket('udp4');
  const packet = Buffer.from([
    0x80,
    201,
    0,
    1,
    0,
    0,
    0,
    0, // RR, no report blocks, SSRC 0
    0x81,
    203,
    0,
    1,
    0,
    0,
    0,
    0, // BYE for SSRC 0
  ]);
  try {
    await Promise.all(rtcpPorts.map((port) => new Promise<void>((resolve) => socket.send(packet, port, '127.0.0.1', () => resolve()))));
  } finally {
    socket.close();
  }
}
