import type { EncoderSettings, IngestEncoderSettingsResponse } from '../../shared/protocol.js';

/** One encoder's settings from GET /api/ingest-points/:id/encoder-settings, by setting: what a technician pastes. */
export function encoderValues(answer: IngestEncoderSettingsResponse, encoder: EncoderSettings['encoder']): Record<string, string> {
  const settings = answer.encoders.find((candidate) => candidate.encoder === encoder)?.settings ?? [];
  return Object.fromEntries(settings.map(({ setting, value }) => [setting, value]));
}
