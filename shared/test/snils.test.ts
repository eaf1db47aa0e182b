import { describe, expect, it } from 'vitest';
import {
  formatSnils,
  maskSnils,
  normaliseSnils,
  snilsCheckNumber,
  validateSnils,
} from '../src/snils.ts';
import { expectDomainError } from './helpers.ts';

describe('СНИЛС', () => {
  it('[SN2] accepts the known numbers 112-233-445 95 (S = 95) and 999-999-999 01 (405 mod 101)', () => {
    expect(validateSnils('112-233-445 95')).toEqual({ ok: true, digits: '11223344595' });
    expect(validateSnils('999-999-999 01')).toEqual({ ok: true, digits: '99999999901' });
  });

  it('[SN2] refuses a wrong check number', () => {
    expect(validateSnils('112-233-445 96')).toMatchObject({ ok: false, code: 'INVALID_SNILS' });
    expect(validateSnils('999-999-999 00')).toMatchObject({ ok: false, code: 'INVALID_SNILS' });
  });

  it('[SN2] S = 100 and S = 101 give check 00', () => {
    // 9·9 + 2·8 + 3·1 = 100; 9·9 + 2·8 + 4·1 = 101
    expect(snilsCheckNumber('92000000300')).toBe(0);
    expect(validateSnils('920-000-003 00').ok).toBe(true);
    expect(validateSnils('920-000-003 01').ok).toBe(false);
    expect(validateSnils('920-000-004 00').ok).toBe(true);
    expect(validateSnils('920-000-004 01').ok).toBe(false);
  });

  it('[SN2] S > 101 with remainder 100 gives 00', () => {
    // 9·9 + 9·8 + 6·7 + 1·6 = 201 = 101 + 100
    expect(validateSnils('996-100-000 00').ok).toBe(true);
    expect(validateSnils('996-100-000 100'.slice(0, 14)).ok).toBe(false);
  });

  it('[SN2] numbers up to 001-001-998 are not checked; 001-001-999 is', () => {
    expect(validateSnils('001-001-998 00').ok).toBe(true);
    expect(validateSnils('001-001-998 77').ok).toBe(true);
    expect(validateSnils('000-000-001 42').ok).toBe(true);
    // 1·7 + 1·4 + 9·3 + 9·2 + 9·1 = 65
    expect(validateSnils('001-001-999 65').ok).toBe(true);
    expect(validateSnils('001-001-999 00').ok).toBe(false);
  });

  it('[SN1] input may carry spaces and dashes; anything but 11 digits is refused', () => {
    expect(normaliseSnils(' 112 233 445-95 ')).toBe('11223344595');
    expect(validateSnils('112-233-445')).toMatchObject({ ok: false, code: 'INVALID_SNILS' });
    expect(validateSnils('112-233-445 9A').ok).toBe(false);
    expectDomainError(() => normaliseSnils('1122334459'), 'INVALID_SNILS', 'snils');
    expectDomainError(() => normaliseSnils(undefined as never), 'INVALID_SNILS', 'snils');
  });

  it('[SN3] shown as XXX-XXX-XXX YY and masked as ***-***-*45 95', () => {
    expect(formatSnils('11223344595')).toBe('112-233-445 95');
    expect(maskSnils('11223344595')).toBe('***-***-*45 95');
    expectDomainError(() => maskSnils('123'), 'INVALID_SNILS', 'snils');
    expectDomainError(() => formatSnils('abc'), 'INVALID_SNILS', 'snils');
  });

  it('[SN4] a number of zeros is refused, though below the checked range', () => {
    expect(validateSnils('000-000-000 00')).toMatchObject({ ok: false, code: 'INVALID_SNILS' });
    expect(validateSnils('001-001-998 00')).toMatchObject({ ok: true });
  });
});
