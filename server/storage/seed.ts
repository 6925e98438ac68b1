/**
 * The demo event a fresh installation starts with, so the programme, the /watch/demo stage and
 * the attendance figures have something real-looking to show. Modelled on a Swedish municipal
 * public-health day; the people are made up.
 */
import type { Database } from 'better-sqlite3';
import { countEvents, createEvent } from './events.js';
import { createSpeaker } from './speakers.js';
import { createStage } from './stages.js';
import { createTalk, type TalkKind } from './talks.js';
import { localDate, zonedTimeToUtc } from './time.js';

export const DEMO_EVENT_ID = 'folkhalsodagen-2026';
/** The stage the demo test pattern plays on: /watch/demo. */
export const DEMO_STAGE_ID = 'demo';
const TIME_ZONE = 'Europe/Stockholm';

const speakers = {
  host: { name: 'Maria Lindqvist', organisation: 'Folkhälsostrateg, Sundsvalls kommun', bio: 'Leder kommunens folkhälsoarbete och samordnar Folkhälsodagen.' },
  researcher: { name: 'Ahmed Karimi', organisation: 'Utredare, Folkhälsomyndigheten', bio: 'Följer utvecklingen av barns och ungas psykiska hälsa i nationella undersökningar.' },
  elderCare: { name: 'Eva Sundberg', organisation: 'Docent i omvårdnad, Mittuniversitetet', bio: 'Forskar om ensamhet och social isolering bland äldre.' },
  schools: { name: 'Johan Berglund', organisation: 'Enhetschef för elevhälsan, Sundsvalls kommun', bio: '' },
  youthClinic: { name: 'Sara Nyström', organisation: 'Kurator, Ungdomsmottagningen, Region Västernorrland', bio: '' },
  volunteers: { name: 'Lars-Erik Holm', organisation: 'Frivilligcentralen i Sundsvall', bio: '' },
} as const;

type SpeakerRole = keyof typeof speakers;

interface DemoTalk {
  start: string;
  end: string;
  kind: TalkKind;
  title: string;
  description: string;
  speakers: SpeakerRole[];
}

const programme: DemoTalk[] = [
  {
    start: '09:00',
    end: '09:15',
    kind: 'talk',
    title: 'Välkommen till Folkhälsodagen',
    description: 'Dagens upplägg och varför psykisk hälsa är årets tema.',
    speakers: ['host'],
  },
  {
    start: '09:15',
    end: '10:00',
    kind: 'talk',
    title: 'Barns och ungas psykiska hälsa – vad säger de senaste siffrorna?',
    description: 'En genomgång av nationella och regionala data, och vad som skiljer grupper åt.',
    speakers: ['researcher'],
  },
  { start: '10:00', end: '10:20', kind: 'break', title: 'Fikapaus', description: '', speakers: [] },
  {
    start: '10:20',
    end: '11:05',
    kind: 'talk',
    title: 'Ensamhet bland äldre – ett folkhälsoproblem vi kan påverka',
    description: 'Om riskfaktorer, skyddsfaktorer och vad kommunen kan göra i vardagen.',
    speakers: ['elderCare'],
  },
  {
    start: '11:05',
    end: '11:50',
    kind: 'panel',
    title: 'Panelsamtal: Hur når vi dem som inte själva söker hjälp?',
    description: 'Skola, ungdomsmottagning och civilsamhälle om att upptäcka tidigt och samverka.',
    speakers: ['host', 'schools', 'youthClinic', 'volunteers'],
  },
  {
    start: '11:50',
    end: '12:00',
    kind: 'talk',
    title: 'Avslutning och medskick',
    description: 'Sammanfattning av dagen och nästa steg i det lokala folkhälsoarbetet.',
    speakers: ['host'],
  },
];

/**
 * Creates the demo event if the database has no events at all, with its talks on the day of `now`
 * (Swedish time), and returns whether it did. Deleting every event brings it back on next start.
 */
export function seedDemoEvent(db: Database, now = new Date()): boolean {
  return db.transaction(() => {
    if (countEvents(db) > 0) return false;
    createEvent(
      db,
      {
        id: DEMO_EVENT_ID,
        title: 'Folkhälsodagen 2026 – Psykisk hälsa i hela livet',
        description:
          'En förmiddag om hur kommun, region och civilsamhälle tillsammans kan främja psykisk hälsa – från förskolan till äldreomsorgen. Arrangeras av Sundsvalls kommun tillsammans med Region Västernorrland.',
        timeZone: TIME_ZONE,
        language: 'sv',
        visibility: 'public',
      },
      now,
    );
    createStage(db, { id: DEMO_STAGE_ID, eventId: DEMO_EVENT_ID, title: 'Stora scenen', position: 0 });
    const speakerIds = createSpeakers(db);
    const day = localDate(now, TIME_ZONE);
    programme.forEach((talk, position) =>
      createTalk(db, {
        stageId: DEMO_STAGE_ID,
        title: talk.title,
        description: talk.description,
        kind: talk.kind,
        plannedStart: zonedTimeToUtc(day, talk.start, TIME_ZONE),
        plannedEnd: zonedTimeToUtc(day, talk.end, TIME_ZONE),
        position,
        speakerIds: talk.speakers.map((role) => speakerIds[role]),
      }),
    );
    return true;
  })();
}

function createSpeakers(db: Database): Record<SpeakerRole, string> {
  const entries = Object.entries(speakers).map(([role, speaker]) => [role, createSpeaker(db, { eventId: DEMO_EVENT_ID, ...speaker }).id]);
  return Object.fromEntries(entries) as Record<SpeakerRole, string>;
}
