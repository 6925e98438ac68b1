/** A talk's questions and polls for the organisers after the event: CSV for a spreadsheet (JSON is the API's own). */
import { stringify } from 'csv-stringify/sync';
import type { TalkAudienceExports } from '../../shared/protocol.js';
import type { ModeratedQuestion, Poll } from '../../shared/questions.js';
import { neutralizeFormula } from '../storage/registrationsCsv.js';

const questionColumns = ['id', 'asked_at', 'author_name', 'text', 'original_text', 'status', 'votes', 'merged_into'] as const;

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
  return stringify(rows, { bom: true, header: true, columns: [...questionColumns], record_delimiter: 'windows', quoted_match: /[\r\n]/ });
}

/** One row per option: the poll, the option, the ballots that picked it and the poll's ballots in all. */
export function pollsCsv(polls: readonly Poll[]): string {
  const rows = polls.flatMap((poll) =>
    poll.options.map((option, position) => [
      poll.id,
      neutralizeFormula(poll.question),
      poll.multiple ? 'multiple' : 'single',
      String(position),
      neutralizeFormula(option.label),
      String(option.votes),
      String(poll.ballots),
      poll.openedAt,
      poll.closedAt ?? '',
    ]),
  );
  const columns = ['poll_id', 'question', 'choice', 'option', 'label', 'votes', 'ballots', 'opened_at', 'closed_at'];
  return stringify(rows, { bom: true, header: true, columns, record_delimiter: 'windows', quoted_match: /[\r\n]/ });
}

/** The addresses of a talk's exports, for the attendance report to link them. */
export function talkAudienceExports(talkId: string): TalkAudienceExports {
  const talk = `/api/talks/${encodeURIComponent(talkId)}`;
  return { questionsCsv: `${talk}/questions.csv`, questionsJson: `${talk}/questions.json`, pollsCsv: `${talk}/polls.csv`, pollsJson: `${talk}/polls.json` };
}
