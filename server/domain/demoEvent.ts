/**
 * The demo event a fresh installation starts with, so the programme, the /watch/demo stage and
 * the attendance figures have something real-looking to show. Modelled on a Swedish municipal
 * public-health day; the people are made up. Talk times are local times of the day it is seeded.
 */
import type { TalkKind } from './validation.js';

export const DEMO_EVENT_ID = 'folkhalsodagen-2026';
/** The stage the demo test pattern plays on: /watch/demo. */
export const DEMO_STAGE_ID = 'demo';

export const DEMO_EVENT = {
  id: DEMO_EVENT_ID,
  title: 'Folkhälsodagen 2026 – Psykisk hälsa i hela livet',
  description: 'En förmiddag om hur kommun, region och civilsamhälle tillsammans kan främja psykisk hälsa – från förskolan till äldreomsorgen.',
  organiser: 'Sundsvalls kommun och Region Västernorrland',
  timeZone: 'Europe/Stockholm',
  language: 'sv',
  visibility: 'public',
} as const;

export const DEMO_STAGE = { id: DEMO_STAGE_ID, eventId: DEMO_EVENT_ID, title: 'Stora scenen', position: 0 } as const;

export const DEMO_SPEAKERS = {
  host: { name: 'Maria Lindqvist', organisation: 'Folkhälsostrateg, Sundsvalls kommun', bio: 'Leder kommunens folkhälsoarbete och samordnar Folkhälsodagen.' },
  researcher: {
    name: 'Ahmed Karimi',
    organisation: 'Utredare, Folkhälsomyndigheten',
    bio: 'Följer utvecklingen av barns och ungas psykiska hälsa i nationella undersökningar.',
  },
  elderCare: { name: 'Eva Sundberg', organisation: 'Docent i omvårdnad, Mittuniversitetet', bio: 'Forskar om ensamhet och social isolering bland äldre.' },
  schools: { name: 'Johan Berglund', organisation: 'Enhetschef för elevhälsan, Sundsvalls kommun', bio: '' },
  youthClinic: { name: 'Sara Nyström', organisation: 'Kurator, Ungdomsmottagningen, Region Västernorrland', bio: '' },
  volunteers: { name: 'Lars-Erik Holm', organisation: 'Frivilligcentralen i Sundsvall', bio: '' },
} as const;

export type DemoSpeakerRole = keyof typeof DEMO_SPEAKERS;

export interface DemoTalk {
  start: string;
  end: string;
  kind: TalkKind;
  title: string;
  description: string;
  speakers: DemoSpeakerRole[];
}

export const DEMO_PROGRAMME: DemoTalk[] = [
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
