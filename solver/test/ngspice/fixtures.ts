/** The golden netlists under solver/test/fixtures (only `*.cir`; included files live in fixtures/lib). */
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const FIXTURES_DIR = resolve(__dirname, '..', 'fixtures');

export function fixtureDecks(): string[] {
  return readdirSync(FIXTURES_DIR)
    .filter((f) => f.endsWith('.cir'))
    .sort()
    .map((f) => join(FIXTURES_DIR, f));
}

/** The same deck with extra lines put before `.end` (used to tighten tolerances for calibration). */
export function withLinesBeforeEnd(deckText: string, lines: string[]): string {
  const end = /^\s*\.end\s*$/im;
  if (!end.test(deckText)) return `${deckText}\n${lines.join('\n')}\n.end\n`;
  return deckText.replace(end, `${lines.join('\n')}\n.end`);
}
