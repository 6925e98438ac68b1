/** A talk's questions for the organisers after the event: CSV for a spreadsheet, JSON for their tools. */
import { stringify } from 'csv-stringify/sync';
import type { ModeratedQuestion } from '../../shared/questions.js';
import { neutralizeFormula } from '../storage/registrationsCsv.js';

const columns = ['id', 'asked_at', 'author_name', 'text', 'original_text', 'status', 'votes', 'merged_into'] as const;

/** Same conventions as the registration list: a UTF-8 BOM for Excel, CRLF lines, formulas neutralised. */
export function questionsCsv(questions: readonly ModeratedQuestion[]): string {
  const rows = questions.map((question) => [
    question.id,
    question.createdAt,
    neutralizeFormula(question.authorName),
    neutralizeFormula(question.text),
    question.originalText === null ? '' : neutralizeFormula(question.originalText),
    question.status,
    String(question.votes),
    question.mergedInto ?? '',
  ]);
  return stringify(rows, { bom: true, header: true, columns: [...columns], record_delimiter: 'windows', quoted_match: /[\r\n]/ });
}
