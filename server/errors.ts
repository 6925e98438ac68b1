import type { ApiError, ErrorCode } from '../shared/protocol.js';

/**
 * An error a client can act on: its code and message go back in an `ok: false` ack or an HTTP
 * error body. Anything else thrown is a bug and reaches clients only as `internal`.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** For refusals of a server that is busy now: when to ask again (HTTP sends it as Retry-After). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'AppError';
  }

  toApiError(): ApiError {
    return { code: this.code, message: this.message };
  }
}
