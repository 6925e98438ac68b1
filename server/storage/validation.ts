/** The conference model's schemas live in server/domain/validation.ts; the routes import them from here too. */
export * from '../domain/validation.js';
