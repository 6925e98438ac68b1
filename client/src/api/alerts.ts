/** Acknowledging an alert (the control room's alerts come live over the socket: health:follow). */
import type { Alert } from '../../../shared/health';
import { sendJson } from './http';

export const acknowledgeAlert = (alertId: string): Promise<Alert> => sendJson('POST', `/api/alerts/${encodeURIComponent(alertId)}/acknowledge`);
