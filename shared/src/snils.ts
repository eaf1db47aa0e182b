import { DomainError } from './errors.ts';

/**
 * СНИЛС (SN1–SN3): stored as 11 digits, typed with spaces and dashes, shown as
 * `XXX-XXX-XXX YY` and masked everywhere but the registry card.
 */

/** Numbers up to 001-001-998 were issued before the checksum existed (SN2). */
const LAST_UNCHECKED = 1_001_998;

/** Digits only; throws INVALID_SNILS (field `snils`) unless exactly 11 digits remain (SN1). */
export function normaliseSnils(text: string): string {
  const digits = typeof text === 'string' ? text.replace(/[\s\u00a0\-‐‑–—]/g, '') : '';
  if (!/^\d{11}$/.test(digits)) {
    throw new DomainError('INVALID_SNILS', 'snils', 'СНИЛС должен состоять из 11 цифр');
  }
  return digits;
}

/** The check number of the first nine digits (SN2); null when the number is not checked. */
export function snilsCheckNumber(digits: string): number | null {
  const body = digits.slice(0, 9);
  if (Number(body) <= LAST_UNCHECKED) return null;

  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(body[i]) * (9 - i);
  if (sum < 100) return sum;
  if (sum === 100 || sum === 101) return 0;
  const rest = sum % 101;
  return rest === 100 ? 0 : rest;
}

/** Normalises and checks a СНИЛС; never throws. The message is Russian, for the form. */
export function validateSnils(
  text: string,
): { ok: true; digits: string } | { ok: false; code: 'INVALID_SNILS'; message: string } {
  let digits: string;
  try {
    digits = normaliseSnils(text);
  } catch (error) {
    return { ok: false, code: 'INVALID_SNILS', message: (error as DomainError).message };
  }

  // SN4: the unchecked range (SN2) starts above zero: «000-000-000 00» was saved.
  if (/^0{9}/.test(digits)) {
    return {
      ok: false,
      code: 'INVALID_SNILS',
      message: 'snils: СНИЛС из одних нулей не выдаётся: проверьте цифры',
    };
  }
  const check = snilsCheckNumber(digits);
  if (check !== null && check !== Number(digits.slice(9))) {
    return {
      ok: false,
      code: 'INVALID_SNILS',
      message: 'snils: Неверное контрольное число СНИЛС: проверьте цифры',
    };
  }
  return { ok: true, digits };
}

/** '11223344595' → '112-233-445 95' (SN3). */
export function formatSnils(digits: string): string {
  const d = normaliseSnils(digits);
  return `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6, 9)} ${d.slice(9)}`;
}

/** '11223344595' → '***-***-*45 95' (SN3): enough to tell two people apart, no more. */
export function maskSnils(digits: string): string {
  const d = normaliseSnils(digits);
  return `***-***-*${d.slice(7, 9)} ${d.slice(9)}`;
}
