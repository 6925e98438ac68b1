import type { FastifyError, FastifyInstance } from 'fastify';
import type { ApiErrorResponse, ErrorCode } from '../../shared/protocol.js';
import { AppError } from '../errors.js';

const statusByCode: Record<ErrorCode, number> = {
  invalid_payload: 400,
  payload_too_large: 413,
  unauthorized: 401,
  forbidden: 403,
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

function toAppError(error: FastifyError | AppError): AppError {
  if (error instanceof AppError) return error;
  switch (error.code) {
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
  if (error instanceof SyntaxError || error.statusCode === 400) {
    return new AppError('invalid_payload', `The request could not be read: ${error.message}`);
  }
  return new AppError('internal', 'The server failed to handle the request; try again.');
}
