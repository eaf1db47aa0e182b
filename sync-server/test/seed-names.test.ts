import { describe, expect, it } from 'vitest';
import { FATHER_NAMES, patronymic } from '../src/seed/names.ts';

describe('seed names', () => {
  it('derives patronymics of names ending in -ий, -ей, -ай and -ь as Russian does', () => {
    expect(patronymic('Дмитрий', true)).toBe('Дмитриевна');
    expect(patronymic('Дмитрий', false)).toBe('Дмитриевич');
    expect(patronymic('Сергей', true)).toBe('Сергеевна');
    expect(patronymic('Николай', false)).toBe('Николаевич');
    expect(patronymic('Игорь', true)).toBe('Игоревна');
    expect(patronymic('Иван', true)).toBe('Ивановна');
    expect(patronymic('Юрий', false)).toBe('Юрьевич');
    // A fleeting vowel drops (found in the demo by a tester: «Павелович»).
    expect(patronymic('Павел', false)).toBe('Павлович');
    expect(patronymic('Павел', true)).toBe('Павловна');
  });

  it('never glues a suffix to a final й or ь for any seeded father name', () => {
    for (const father of FATHER_NAMES) {
      for (const female of [false, true]) {
        const name = patronymic(father, female);
        expect(name).toMatch(female ? /(овна|евна)$/ : /(ович|евич)$/);
        expect(name).not.toMatch(/[йь](ович|овна)$/);
      }
    }
  });
});
