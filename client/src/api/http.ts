/** Typed fetch helpers on the shared payload types; failures become ApiFailure with the server's code. */
import type { ApiErrorResponse, ErrorCode } from '../../../shared/protocol';

/** `network`: no answer at all (offline, server down). */
export type FailureCode = ErrorCode | 'network';

/** `/api/stages/%/invites` with each `%` replaced by the next id, encoded for a path. */
export function apiPath(template: string, ...ids: string[]): string {
  return ids.reduce((text, id) => text.replace('%', encodeURIComponent(id)), template);
}

export class ApiFailure extends Error {
  constructor(
    readonly code: FailureCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

async function request<T>(path: string, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: { accept: 'application/json', ...init.headers }, cache: 'no-store' });
  } catch (error) {
    throw new ApiFailure('network', error instanceof Error ? error.message : String(error));
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = (body as Partial<ApiErrorResponse> | undefined)?.error;
    throw new ApiFailure(error?.code ?? 'internal', error?.message ?? `the server answered ${response.status}`);
  }
  return body as T;
}

/** `headers`: for a private event's access header (x-estrad-access), where the page has one. */
export function getJson<T>(path: string, headers?: Record<string, string>): Promise<T> {
  return request<T>(path, { method: 'GET', headers });
}

export function postJson<T>(path: string, body: unknown): Promise<T> {
  return request<T>(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
}

/** A request that changes something (PATCH, PUT, DELETE, or POST without an answer to read); `headers` as for getJson. */
export function sendJson<T = undefined>(
  method: 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
): Promise<T> {
  const init: RequestInit =
    body === undefined ? { method, headers } : { method, body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } };
  return request<T>(path, init);
}

/** Sends a file as the body, as it is (an uploaded picture), with its own content type. */
export function sendFile<T>(method: 'POST' | 'PUT', path: string, file: Blob, contentType: string): Promise<T> {
  return request<T>(path, { method, body: file, headers: { 'content-type': contentType } });
}
