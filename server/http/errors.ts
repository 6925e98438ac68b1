import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ApiErrorResponse, ErrorCode } from '../../shared/protocol.js';
import { AppError } from '../errors.js';

const statusByCode: Record<ErrorCode, number> = {
  invalid_payload: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  method_not_allowed: 405,
  uri_too_long: 414,
  headers_too_large: 431,
  request_timeout: 408,
  unauthorized: 401,
  forbidden: 403,
  invite_expired: 403,
  invite_revoked: 403,
  invite_invalid: 403,
  invite_wrong_stage: 403,
  chat_off: 403,
  chat_muted: 403,
  not_found: 404,
  not_joined: 409,
  conflict: 409,
  media_rejected: 422,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export function statusFor(code: ErrorCode): number {
  return statusByCode[code];
}

/**
 * Every failed request answers `{ error: { code, message } }`. Fastify's own refusals (bad JSON,
 * a body over the limit, a wrong content type) are translated so clients see one shape.
 */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    const apiError = toAppError(error);
    if (apiError.code === 'internal') request.log.error({ err: error }, 'request failed');
    const body: ApiErrorResponse = { error: apiError.toApiError() };
    if (apiError.retryAfterSeconds !== undefined) reply.header('retry-after', String(apiError.retryAfterSeconds));
    return reply.code(statusFor(apiError.code)).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    const body: ApiErrorResponse = { error: { code: 'not_found', message: `Nothing at ${request.method} ${request.url}.` } };
    return reply.code(404).send(body);
  });
}

function errorBody(error: AppError): string {
  const body: ApiErrorResponse = { error: error.toApiError() };
  return JSON.stringify(body);
}

/**
 * Fastify's `frameworkErrors`: what its router refuses before any route or error handler runs
 * (a path that is not valid URL encoding, a path parameter over the length limit).
 */
export function answerFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const apiError = toAppError(error);
  void reply.code(statusFor(apiError.code)).type('application/json; charset=utf-8').send(errorBody(apiError));
}

/**
 * Fastify's `clientErrorHandler`, for what Node's HTTP parser refuses before Fastify sees a request
 * (headers over the size limit, Content-Length with chunked encoding, a request line that is not
 * HTTP): answered in the documented shape on the raw socket, which is then closed.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const started = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
  if (!socket.writable || started) {
    socket.destroy(error);
    return;
  }
  const apiError = clientErrorOf(error.code);
  const status = statusFor(apiError.code);
  const body = errorBody(apiError);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

function clientErrorOf(code: string | undefined): AppError {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return new AppError('headers_too_large', 'The request headers are too large; send fewer or shorter cookies and headers.');
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new AppError('request_timeout', 'The request took too long to arrive; try again.');
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
    case 'HPE_INVALID_TRANSFER_ENCODING':
      return new AppError('invalid_payload', 'The request has both Content-Length and chunked Transfer-Encoding; send one of them.');
    default:
      return new AppError('invalid_payload', `The request is not valid HTTP/1.1 (${code ?? 'unreadable'}); check the client or the proxy in front.`);
  }
}

function toAppError(error: FastifyError | AppError): AppError {
  if (error instanceof AppError) return error;
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return new AppError('invalid_payload', 'The address is not valid URL encoding; check the link.');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return new AppError('uri_too_long', 'A part of the address is too long; check the link.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'The request body is too large.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('invalid_payload', 'Send the body as application/json.');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid_payload', 'The JSON body is empty.');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('invalid_payload', `The body is not valid JSON: ${error.message}`);
  }
  if (error.statusCode === 429) return new AppError('rate_limited', 'Too many requests; wait a minute and try again.');
  if (error.statusCode === 413) return new AppError('payload_too_large', 'The request body is too large.');
  if (error instanceof SyntaxError || error.statusCode === 400) {
    return new AppError('invalid_payload', `The request could not be read: ${error.message}`);
  }
  return new AppError('internal', 'The server failed to handle the request; try again.');
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * JSON bodies as Fastify parses them, except that bytes that are not UTF-8 are refused instead
 * of being turned into U+FFFD (and stored as such in a name).
 */
export function acceptOnlyUtf8Json(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    let text: string;
    try {
      text = strictUtf8.decode(body as Buffer);
    } catch {
      done(new AppError('invalid_payload', 'The body is not valid UTF-8; send JSON text encoded as UTF-8.'), undefined);
      return;
    }
    void parseJson(request, text, done);
  });
}

/** host[:port] where host is a DNS name, an IPv4 address or a bracketed IPv6 address. */
const HOST_HEADER = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** HTTP/1.1 requests name the host they are for; one without, or with a malformed one, is refused. */
export function requireValidHost(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const host = request.headers.host;
    if (host === undefined && request.raw.httpVersion === '1.0') return;
    if (host === undefined || !HOST_HEADER.test(host)) {
      throw new AppError('invalid_payload', 'The Host header is missing or malformed; send the server\u2019s name or address (and port).');
    }
  });
}
