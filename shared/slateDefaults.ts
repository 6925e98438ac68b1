/**
 * The slate's words and limits, shared by the server and the pages. Kept apart from the schemas
 * (no imports), so the message catalogue and the control room take nothing else along.
 */

/** The default slate's words, in both languages: the catalogue's `slate.defaultText`, drawn on the default picture. */
export const defaultSlateText = { sv: 'Vi är strax tillbaka', en: 'We’ll be right back' } as const;

/** Uploaded slate pictures: PNG or JPEG, at most this big. */
export const SLATE_IMAGE_MAX_BYTES = 5 * 1024 * 1024;
export const slateImageTypes = ['image/png', 'image/jpeg'] as const;
export type SlateImageType = (typeof slateImageTypes)[number];
