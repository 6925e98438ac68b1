/**
 * A firewall opening up: UDP and TCP from `announced:port` (where the browser was told to send
 * media, and nothing listened) relayed to `listening:port` (where the server's WebRTC ports are),
 * as a NAT would carry it. Until it opens the media goes nowhere; once closed, nowhere again.
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Socket } from 'node:net';

export interface Relay {
  /** Bytes relayed towards the server so far: the media (or ICE checks) that went this way. */
  carried(): number;
  close(): Promise<void>;
}

export async function openMediaRoute(announced: string, listening: string, port: number): Promise<Relay> {
  const relays = [await relayTcp(announced, listening, port), await relayUdp(announced, listening, port)];
  return {
    carried: () => relays.reduce((sum, relay) => sum + relay.carried(), 0),
    close: async () => void (await Promise.all(relays.map((relay) => relay.close()))),
  };
}

async function relayTcp(announced: string, listening: string, port: number): Promise<Relay> {
  const sockets = new Set<Socket>();
  let carried = 0;
  const server = createServer((client) => {
    const upstream = connect(port, listening);
    client.on('data', (chunk: Buffer) => (carried += chunk.length));
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      // Either side closing (or failing) ends the pair, as a NAT drops a finished connection.
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, announced, resolve));
  return {
    carried: () => carried,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One upstream socket per browser address, so the server tells the browser's flows apart as it would behind a NAT. */
async function relayUdp(announced: string, listening: string, port: number): Promise<Relay> {
  const front = createSocket('udp4');
  const upstreams = new Map<string, UdpSocket>();
  let carried = 0;
  front.on('message', (message: Buffer, from: RemoteInfo) => {
    carried += message.length;
    const key = `${from.address}:${from.port}`;
    let upstream = upstreams.get(key);
    if (!upstream) {
      upstream = createSocket('udp4');
      upstream.on('message', (reply: Buffer) => front.send(reply, from.port, from.address));
      upstream.bind(0, listening);
      upstreams.set(key, upstream);
    }
    upstream.send(message, port, listening);
  });
  await new Promise<void>((resolve, reject) => front.once('error', reject).bind(port, announced, resolve));
  return {
    carried: () => carried,
    async close() {
      for (const upstream of upstreams.values()) upstream.close();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}
