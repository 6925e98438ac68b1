import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { registerForEvent } from '../../server/storage/registrations.js';
import { exportRegistrationsCsv, neutralizeFormula } from '../../server/storage/registrationsCsv.js';
import { createEventWithStage, openTempDatabase, sampleEvent } from './helpers.js';

const BOM = '\uFEFF';

describe('registrations as CSV', () => {
  it('escapes commas, quotes and newlines, keeps å ä ö and emoji, and defuses formulas', () => {
    const db = openTempDatabase();
    createEventWithStage(db);
    const people = [
      { name: 'Berg, Anna', email: 'anna@example.se' },
      { name: 'Olle "Ollie" Ek', email: 'olle@example.se' },
      { name: 'Rad ett\nrad två', email: 'rad@example.se' },
      { name: 'Åsa Ärlig-Öhman 🎉', email: 'åsa@exempel.se' },
      { name: '=HYPERLINK("http://evil.example","klicka")', email: 'a@example.se' },
      { name: '+46 70 123 45 67', email: 'b@example.se' },
      { name: '-2+3', email: 'c@example.se' },
      { name: '@SUM(A1:A2)', email: '=d@example.se' },
    ];
    people.forEach((person, index) => registerForEvent(db, { eventId: sampleEvent.id, ...person }, new Date(Date.UTC(2026, 4, 1, 8, index))));

    const csv = exportRegistrationsCsv(db, sampleEvent.id);
    expect(csv.startsWith(`${BOM}name,email,registered_at\r\n`)).toBe(true);
    expect(csv).toContain('"Berg, Anna",anna@example.se,2026-05-01T08:00:00.000Z\r\n');
    expect(csv).toContain('"Olle ""Ollie"" Ek"');
    expect(csv).toContain('"Rad ett\nrad två"');
    expect(csv).toContain('Åsa Ärlig-Öhman 🎉,åsa@exempel.se');
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example"",""klicka"")"`);

    // What a spreadsheet reads back: the same values, formulas as text.
    const rows = parse<Record<string, string>>(csv, { bom: true, columns: true });
    expect(rows.map((row) => row.name)).toEqual([
      'Berg, Anna',
      'Olle "Ollie" Ek',
      'Rad ett\nrad två',
      'Åsa Ärlig-Öhman 🎉',
      `'=HYPERLINK("http://evil.example","klicka")`,
      "'+46 70 123 45 67",
      "'-2+3",
      "'@SUM(A1:A2)",
    ]);
    expect(rows.at(-1)?.email).toBe("'=d@example.se");
    expect(rows[0]?.registered_at).toBe('2026-05-01T08:00:00.000Z');
  });

  it('has only the header for an event without registrations', () => {
    const db = openTempDatabase();
    createEventWithStage(db);
    expect(exportRegistrationsCsv(db, sampleEvent.id)).toBe(`${BOM}name,email,registered_at\r\n`);
  });

  it('leaves harmless values alone', () => {
    expect(neutralizeFormula('Anna')).toBe('Anna');
    expect(neutralizeFormula('a=b')).toBe('a=b');
    expect(neutralizeFormula('\t=1')).toBe("'\t=1");
  });
});
