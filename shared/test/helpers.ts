import { expect } from 'vitest';
import { DomainError, type ErrorCode } from '../src/errors.ts';

/** Runs `fn` and checks it throws a DomainError with this code and field. */
export function expectDomainError(fn: () => unknown, code: ErrorCode, field: string): DomainError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(DomainError);
  const error = caught as DomainError;
  expect({ code: error.code, field: error.field }).toEqual({ code, field });
  return error;
}

export { rule, SUBGROUP, schedule } from './fixtures/schedules.ts';
