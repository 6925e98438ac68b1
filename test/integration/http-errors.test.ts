import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../shared/protocol.js';
import { type RunningServer, startServer } from '../helpers/server.js';

interface RawAnswer {
  status: number;
  contentType: string | undefined;
  body: string;
}

/** Sends bytes as they are (no client library to tidy them up) and reads the answer until the server closes. */
function rawRequest(port: number, request: string | Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
      const contentType = /\r\ncontent-type: *([^\r]+)/i.exec(head)?.[1];
      resolve({ status, contentType, body: rest.join('\r\n\r\n') });
    });
    socket.end(request);
  });
}

const host = 'Host: 127.0.0.1\r\nConnection: close\r\n';
const jsonHeaders = (length: number) => `${host}Content-Type: application/json\r\nContent-Length: ${length}\r\n`;
const jsonRequest = (body: Buffer) => Buffer.concat([Buffer.from(`POST /api/registrations HTTP/1.1\r\n${jsonHeaders(body.length)}\r\n`), body]);

/** Requests refused by Node's HTTP parser, Fastify's router or its body parsing, before any route runs. */
const cases: { name: string; request: string | Buffer; status: number; code: ErrorCode }[] = [
  { name: 'bad URL encoding', request: `GET /api/events/%E0%A4%A HTTP/1.1\r\n${host}\r\n`, status: 400, code: 'invalid_payload' },
  { name: 'an over-long path parameter', request: `GET /api/events/${'a'.repeat(600)} HTTP/1.1\r\n${host}\r\n`, status: 414, code: 'uri_too_long' },
  {
    name: 'headers over the size limit',
    request: `GET /api/stages HTTP/1.1\r\n${host}X-Filler: ${'x'.repeat(20_000)}\r\n\r\n`,
    status: 431,
    code: 'headers_too_large',
  },
  {
    name: 'a malformed Host header',
    request: `GET /api/stages HTTP/1.1\r\nHost: exa mple/\\x\r\nConnection: close\r\n\r\n`,
    status: 400,
    code: 'invalid_payload',
  },
  { name: 'no Host header', request: `GET /api/stages HTTP/1.1\r\nConnection: close\r\n\r\n`, status: 400, code: 'invalid_payload' },
  {
    name: 'Content-Length together with chunked encoding',
    request: `POST /api/registrations HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n`,
    status: 400,
    code: 'invalid_payload',
  },
  { name: 'a request line that is not HTTP', request: `HELLO THERE\r\n\r\n`, status: 400, code: 'invalid_payload' },
  { name: 'invalid JSON', request: `POST /api/registrations HTTP/1.1\r\n${jsonHeaders(9)}\r\n{"eventId`, status: 400, code: 'invalid_payload' },
  {
    name: 'a wrong content type',
    request: `POST /api/registrations HTTP/1.1\r\n${host}Content-Type: text/xml\r\nContent-Length: 4\r\n\r\n<a/>`,
    status: 400,
    code: 'invalid_payload',
  },
  {
    name: 'a body over the limit',
    request: `POST /api/registrations HTTP/1.1\r\n${jsonHeaders(70_000)}\r\n{"name":"${'x'.repeat(70_000 - 11)}"}`,
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'a Content-Length that is not a number',
    request: `POST /api/registrations HTTP/1.1\r\n${host}Content-Type: application/json\r\nContent-Length: abc\r\n\r\n{}`,
    status: 400,
    code: 'invalid_payload',
  },
  {
    name: 'a JSON body that is not UTF-8',
    request: jsonRequest(Buffer.concat([Buffer.from('{"eventId":"demo","name":"Anna '), Buffer.from([0xff, 0xfe]), Buffer.from('","email":"a@example.se"}')])),
    status: 400,
    code: 'invalid_payload',
  },
];

describe('requests refused before any route runs answer the documented error shape', () => {
  let server: RunningServer;

  beforeAll(async () => {
    server = await startServer({});
  });

  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  for (const testCase of cases) {
    it(`answers ${testCase.name} with ${testCase.status} and { error: { code: "${testCase.code}", message } }`, async () => {
      const answer = await rawRequest(server.port, testCase.request);
      expect(answer.status, answer.body).toBe(testCase.status);
      expect(answer.contentType).toMatch(/^application\/json/);
      const body = JSON.parse(answer.body) as { error?: { code?: string; message?: string } };
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error?.code).toBe(testCase.code);
      expect(body.error?.message?.length ?? 0).toBeGreaterThan(10);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    });
  }
});
