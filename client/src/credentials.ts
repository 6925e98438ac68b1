import type { SocketAuth } from '../../shared/protocol';

const ACCESS_KEY = 'estrad:access';
const VIEWER_KEY = 'estrad:viewer-key';

/**
 * What this browser shows the server when it connects: a speaker invite or a viewer's access
 * token from the link it was opened with (`?invite=`, `?access=`), and a random key that makes
 * its tabs and reconnects count as one viewer. The access token is remembered, so a personal
 * link works once and then the plain stage URL does too.
 */
export function connectionCredentials(): SocketAuth {
  const query = new URLSearchParams(location.search);
  const invite = query.get('invite') ?? undefined;
  const access = query.get('access') ?? stored(ACCESS_KEY);
  if (query.get('access')) store(ACCESS_KEY, query.get('access')!);
  return { invite, access, viewerKey: viewerKey() };
}

function viewerKey(): string {
  const existing = stored(VIEWER_KEY);
  if (existing) return existing;
  const key = crypto.randomUUID().replaceAll('-', '');
  store(VIEWER_KEY, key);
  return key;
}

function stored(key: string): string | undefined {
  try {
    return localStorage.getItem(key) ?? undefined;
  } catch {
    return undefined;
  }
}

function store(key: string, value: string): void {
  try {
    localStorage.setItem(key, value);
  } catch {
    // Private browsing without storage: the link still works for this page.
  }
}
