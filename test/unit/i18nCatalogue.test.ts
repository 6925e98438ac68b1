import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { catalogues, type Language } from '../../client/src/i18n/messages.js';
import { formatDate, formatTime, parametersOf, translate } from '../../client/src/i18n/translate.js';
import { catalogueParts } from '../helpers/catalogue.js';

const clientSource = resolve(import.meta.dirname, '../../client/src');

/** The code of each client module (by its path under client/src), the catalogue's own files left out. */
const clientCode = new Map(
  readdirSync(clientSource, { recursive: true, encoding: 'utf8' })
    .filter((file) => /\.tsx?$/.test(file) && !/^i18n\/(messages|\w+Messages)\.ts$/.test(file))
    .map((module) => [module, readFileSync(join(clientSource, module), 'utf8')]),
);

/** The client modules a module imports, statically or on demand. */
function importsOf(module: string): string[] {
  return ts.preProcessFile(clientCode.get(module)!, true, true).importedFiles.flatMap(({ fileName }) => {
    if (!fileName.startsWith('.')) return [];
    const base = join(dirname(module), fileName.replace(/\.js$/, ''));
    return [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].filter((candidate) => clientCode.has(candidate)).slice(0, 1);
  });
}

/** For each client module, the pages (their modules in pages/) that load it. */
function pagesLoadingEachModule(): Map<string, Set<string>> {
  const loadedBy = new Map([...clientCode.keys()].map((module) => [module, new Set<string>()]));
  for (const page of [...clientCode.keys()].filter((module) => module.startsWith('pages/') && module.endsWith('.tsx'))) {
    const waiting = [page];
    for (let module = waiting.pop(); module !== undefined; module = waiting.pop()) {
      if (loadedBy.get(module)!.has(basename(page))) continue;
      loadedBy.get(module)!.add(basename(page));
      waiting.push(...importsOf(module));
    }
  }
  return loadedBy;
}

/** The client modules that name a key: as a literal, or as the start of a template (`health.light.${light}`). */
function modulesUsing(key: string): string[] {
  return [...clientCode].flatMap(([module, code]) => {
    const named = [`'${key}'`, `"${key}"`, `\`${key}\``].some((literal) => code.includes(literal));
    return named || [...code.matchAll(/`([\w.-]+\.)\$\{/g)].some((template) => key.startsWith(template[1]!)) ? [module] : [];
  });
}

describe('the Swedish and English message catalogue', () => {
  it.each(catalogueParts)('$file has every key in both languages, with the same parameters and the same plural shape', ({ sv, en }) => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(sv).sort());
    for (const key of Object.keys(sv)) {
      expect(parametersOf(en[key]!), key).toEqual(parametersOf(sv[key]!));
      expect(typeof en[key], key).toBe(typeof sv[key]);
      for (const message of [sv[key]!, en[key]!]) {
        const texts = typeof message === 'string' ? [message] : [message.one, message.other];
        for (const text of texts) expect(text.trim(), key).not.toBe('');
      }
    }
  });

  it('has each key in one file only, and every file registered for translate()', () => {
    const keys = catalogueParts.flatMap((part) => Object.keys(part.sv));
    expect(keys.filter((key, index) => keys.indexOf(key) !== index)).toEqual([]);
    for (const language of Object.keys(catalogues) as Language[]) expect(Object.keys(catalogues[language]).sort(), language).toEqual([...keys].sort());
  });

  it('lists every part of the catalogue that client/src/i18n holds', () => {
    const files = readdirSync(join(clientSource, 'i18n')).filter((file) => /^(messages|\w+Messages)\.ts$/.test(file));
    expect(files.sort()).toEqual(catalogueParts.map((part) => part.file).sort());
  });

  it('fills in parameters and picks the plural form with Intl.PluralRules', () => {
    expect(translate('en', 'home.viewers', { count: 1 })).toBe('1 viewer');
    expect(translate('en', 'home.viewers', { count: 2 })).toBe('2 viewers');
    expect(translate('sv', 'home.talks', { count: 1 })).toBe('1 programpunkt');
    expect(translate('sv', 'home.talks', { count: 5 })).toBe('5 programpunkter');
    expect(translate('sv', 'home.nowOnStage', { title: 'Fikapaus' })).toBe('Nu: Fikapaus');
  });

  it('shows times and days in the event’s time zone, not the viewer’s', () => {
    // 08:15 UTC on a winter day is 09:15 in Stockholm.
    expect(formatTime('sv', '2026-12-01T08:15:00Z', 'Europe/Stockholm')).toBe('09:15');
    expect(formatTime('en', '2026-12-01T08:15:00Z', 'America/New_York')).toBe('03:15 AM');
    expect(formatDate('sv', '2026-12-01T23:30:00Z', 'Europe/Stockholm')).toBe('onsdag 2 december 2026');
  });
});

/** The product's name, the same in every language. */
const UNTRANSLATED = new Set(['Estrad']);
/** Attributes a person reads (or a screen reader reads out). */
const READ_ATTRIBUTES = new Set(['aria-label', 'aria-description', 'aria-roledescription', 'title', 'placeholder', 'alt', 'label']);
/** DOM properties whose text reaches the page. */
const SHOWN_PROPERTIES = new Set(['textContent', 'innerText', 'innerHTML', 'title', 'placeholder', 'ariaLabel']);

/** `line text` for every piece of wording in a client module that does not come from the catalogue. */
function wordingIn(fileName: string, code: string): string[] {
  const source = ts.createSourceFile(fileName, code, ts.ScriptTarget.Latest, true, fileName.endsWith('x') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: string[] = [];
  const report = (node: ts.Node, text: string) => {
    const wording = text.trim();
    if (/\p{L}{2,}/u.test(wording) && !UNTRANSLATED.has(wording)) found.push(`${source.getLineAndCharacterOfPosition(node.getStart()).line + 1} ${wording}`);
  };
  const literalText = (node: ts.Node | undefined) => (node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined);
  const visit = (node: ts.Node): void => {
    if (ts.isJsxText(node)) report(node, node.text);
    if (ts.isJsxAttribute(node) && READ_ATTRIBUTES.has(node.name.getText(source))) {
      const value = node.initializer && ts.isJsxExpression(node.initializer) ? node.initializer.expression : node.initializer;
      const text = literalText(value);
      if (text !== undefined) report(node, text);
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(node.left)) {
      const text = literalText(node.right);
      if (SHOWN_PROPERTIES.has(node.left.name.text) && text !== undefined) report(node, text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('each page’s own part of the catalogue', () => {
  const loadedBy = pagesLoadingEachModule();
  const pagesUsing = (key: string) => [...new Set(modulesUsing(key).flatMap((module) => [...loadedBy.get(module)!]))].sort();

  it('is told from the shared part by which pages load the modules that use a key', () => {
    // The speaker's placement shows on the speak page and in the control room's backstage.
    expect(pagesUsing('backstage.placementOnAir')).toEqual(['control.tsx', 'speak.tsx']);
    expect(pagesUsing('health.light.green')).toEqual(['control.tsx']);
  });

  it.each(catalogueParts.filter((part) => part.page))('$file holds no key that a module of another page uses', ({ sv, page }) => {
    const elsewhere = Object.keys(sv).flatMap((key) =>
      pagesUsing(key)
        .filter((user) => user !== page)
        .map((user) => `${key} on ${user}`),
    );
    expect(elsewhere).toEqual([]);
  });
});

describe('the client’s wording', () => {
  it('is found wherever a page would show it: markup text, read attributes, DOM text', () => {
    const code = [
      'const a = <p class="lead">No stage in this address</p>;',
      'const b = <button aria-label="Play" title={"Pause"} />;',
      "element.textContent = 'Off air';",
      'const c = <a class="brand">Estrad</a>;',
      "const d = <p aria-label={t('player.label')}>{t('home.live')} {count}</p>;",
      "const e = new Error('Not shown to anyone');",
    ].join('\n');
    expect(wordingIn('sample.tsx', code)).toEqual(['1 No stage in this address', '2 Play', '2 Pause', '3 Off air']);
  });

  it('all comes from the catalogue: no text in markup, read attributes or the DOM outside it', () => {
    const files = readdirSync(clientSource, { recursive: true, encoding: 'utf8' }).filter(
      (file) => /\.tsx?$/.test(file) && file !== join('i18n', 'messages.ts'),
    );
    expect(files.length).toBeGreaterThan(20);
    const found = files.flatMap((file) => wordingIn(file, readFileSync(join(clientSource, file), 'utf8')).map((wording) => `${file}:${wording}`));
    expect(found).toEqual([]);
  });
});
