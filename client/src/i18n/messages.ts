/**
 * Every user-visible string of the Preact pages, in Swedish and English. `{name}` is a parameter;
 * a message with `one`/`other` forms is chosen by Intl.PluralRules from its `count`.
 * test/unit/i18nCatalogue.test.ts checks that both languages have the same keys and parameters.
 */

export type PluralMessage = { readonly one: string; readonly other: string };
export type Message = string | PluralMessage;

export const sv = {
  'layout.skipLink': 'Hoppa till innehållet',
  'layout.home': 'Estrad – startsida',
  'layout.nav': 'Huvudmeny',
  'layout.navEvents': 'Program',
  'layout.navArchive': 'Arkiv',
  'layout.language': 'Språk',
  'layout.footer': 'Estrad – digitala konferenser',

  'home.pageTitle': 'Program',
  'home.loading': 'Hämtar programmet…',
  'home.loadFailed': 'Programmet kunde inte hämtas. Kontrollera anslutningen; sidan försöker igen om 5 sekunder.',
  'home.noEvents': 'Inga evenemang ännu.',
  'home.programme': 'Program',
  'home.stageProgramme': 'Program för {stage}',
  'home.talkSpeakers': 'Medverkande: {names}',
  'home.break': 'Paus',
  'home.panel': 'Panelsamtal',
  'home.watchStage': 'Se {stage} live',
  'home.watchReplay': 'Se i efterhand: {title}',
  'home.replayLink': 'Se i efterhand',
  'home.live': 'Live',
  'home.offAir': 'Inte i sändning',
  'home.nowOnStage': 'Nu: {title}',
  'home.nextOnStage': 'Härnäst, {time}: {title}',
  'home.nothingNext': 'Inget mer på programmet för den här scenen.',
  'home.viewers': { one: '{count} tittare', other: '{count} tittare' },
  'home.talks': { one: '{count} programpunkt', other: '{count} programpunkter' },
  'home.timeZoneNote': 'Tiderna anges i tidszonen {zone}.',

  'access.heading': 'Det här evenemanget är privat',
  'access.intro': 'Anmäl dig för att få din personliga länk, eller ange åtkomstkoden från arrangören.',
  'access.registerHeading': 'Anmälan',
  'access.name': 'Namn',
  'access.email': 'E-postadress',
  'access.register': 'Anmäl mig',
  'access.registered': 'Du är anmäld. Spara din personliga länk – den är din väg in:',
  'access.personalLink': 'Min personliga länk',
  'access.codeHeading': 'Åtkomstkod',
  'access.code': 'Åtkomstkod',
  'access.useCode': 'Gå in med koden',
  'access.granted': 'Koden stämmer. Du kan nu titta.',
  'access.watchNow': 'Till sändningen',
  'access.sending': 'Skickar…',

  'error.invalid_payload': 'Något av fälten är inte rätt ifyllt. Kontrollera och försök igen.',
  'error.forbidden': 'Det gick inte: koden stämmer inte eller så saknar du behörighet.',
  'error.not_found': 'Det du söker finns inte (längre).',
  'error.conflict': 'Det går inte just nu; försök igen senare.',
  'error.rate_limited': 'För många försök. Vänta en minut och försök igen.',
  'error.unauthorized': 'Du behöver logga in först.',
  'error.unavailable': 'Tjänsten är tillfälligt otillgänglig. Försök igen om en stund.',
  'error.network': 'Ingen kontakt med servern. Kontrollera anslutningen och försök igen.',
  'error.other': 'Något gick fel (felkod {code}). Försök igen.',
} as const satisfies Record<string, Message>;

export type MessageKey = keyof typeof sv;

export const en: { readonly [K in MessageKey]: Message } = {
  'layout.skipLink': 'Skip to content',
  'layout.home': 'Estrad – home',
  'layout.nav': 'Main menu',
  'layout.navEvents': 'Programme',
  'layout.navArchive': 'Archive',
  'layout.language': 'Language',
  'layout.footer': 'Estrad – digital conferences',

  'home.pageTitle': 'Programme',
  'home.loading': 'Loading the programme…',
  'home.loadFailed': 'Could not load the programme. Check your connection; the page retries in 5 seconds.',
  'home.noEvents': 'No events yet.',
  'home.programme': 'Programme',
  'home.stageProgramme': 'Programme of {stage}',
  'home.talkSpeakers': 'With {names}',
  'home.break': 'Break',
  'home.panel': 'Panel',
  'home.watchStage': 'Watch {stage} live',
  'home.watchReplay': 'Watch the replay: {title}',
  'home.replayLink': 'Replay',
  'home.live': 'Live',
  'home.offAir': 'Off air',
  'home.nowOnStage': 'Now: {title}',
  'home.nextOnStage': 'Next, {time}: {title}',
  'home.nothingNext': 'Nothing more on this stage’s programme.',
  'home.viewers': { one: '{count} viewer', other: '{count} viewers' },
  'home.talks': { one: '{count} item', other: '{count} items' },
  'home.timeZoneNote': 'Times are in the {zone} time zone.',

  'access.heading': 'This event is private',
  'access.intro': 'Register to get your personal link, or enter the access code from the organisers.',
  'access.registerHeading': 'Registration',
  'access.name': 'Name',
  'access.email': 'E-mail address',
  'access.register': 'Register',
  'access.registered': 'You are registered. Keep your personal link – it is your way in:',
  'access.personalLink': 'My personal link',
  'access.codeHeading': 'Access code',
  'access.code': 'Access code',
  'access.useCode': 'Enter with the code',
  'access.granted': 'The code is right. You can watch now.',
  'access.watchNow': 'Go to the broadcast',
  'access.sending': 'Sending…',

  'error.invalid_payload': 'One of the fields is not filled in right. Check it and try again.',
  'error.forbidden': 'That did not work: the code is wrong or you have no access.',
  'error.not_found': 'What you are looking for is not (or no longer) there.',
  'error.conflict': 'That is not possible right now; try again later.',
  'error.rate_limited': 'Too many attempts. Wait a minute and try again.',
  'error.unauthorized': 'You need to sign in first.',
  'error.unavailable': 'The service is unavailable for a moment. Try again shortly.',
  'error.network': 'No contact with the server. Check your connection and try again.',
  'error.other': 'Something went wrong (error code {code}). Try again.',
};

export const catalogues = { sv, en } as const;
export type Language = keyof typeof catalogues;
export const languages = Object.keys(catalogues) as Language[];
/** Each language's name in itself, for the switch. */
export const languageNames: Record<Language, string> = { sv: 'Svenska', en: 'English' };
