import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  ageOn,
  compareDates,
  dateToExcelSerial,
  daysBetween,
  excelSerialToDate,
  formatRuDate,
  formatRuMonth,
  isoWeekday,
  minutesOf,
  monthDays,
  monthOf,
  nowTimeIn,
  parseLocalDate,
  parseLocalTime,
  parseRuDate,
  todayIn,
} from '../src/dates.ts';
import { expectDomainError } from './helpers.ts';

describe('local dates', () => {
  it('[DT1] arithmetic on civil dates crosses months, years and leap days', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28');
    expect(daysBetween('2026-09-01', '2027-05-31')).toBe(272);
    expect(compareDates('2026-09-01', '2026-10-01')).toBeLessThan(0);
    expect(compareDates('2026-09-01', '2026-09-01')).toBe(0);
    expect(monthOf('2026-09-30')).toBe('2026-09');
    expect(monthDays('2027-02')).toHaveLength(28);
    expect(monthDays('2028-02').at(-1)).toBe('2028-02-29');
    expect(addMonths('2026-12', 1)).toBe('2027-01');
    expect(addMonths('2027-01', -1)).toBe('2026-12');
  });

  it('[DT1] weekdays: 1 Sep 2026 is a Tuesday, 31 May 2027 a Monday, 4 Nov 2026 a Wednesday', () => {
    expect(isoWeekday('2026-09-01')).toBe(2);
    expect(isoWeekday('2027-05-31')).toBe(1);
    expect(isoWeekday('2026-11-04')).toBe(3);
    expect(isoWeekday('2026-09-06')).toBe(7);
    expect(isoWeekday('1969-12-31')).toBe(3);
  });

  it('[DT1] times: HH:MM to minutes, H:MM normalised', () => {
    expect(minutesOf('17:00')).toBe(1020);
    expect(minutesOf('00:00')).toBe(0);
    expect(parseLocalTime('9:05')).toBe('09:05');
  });

  it('[DT2] todayIn and nowTimeIn use the org zone: 19:30 UTC is 00:30 next day in Yekaterinburg', () => {
    const instant = new Date('2026-09-07T19:30:00Z');
    expect(todayIn('Asia/Yekaterinburg', instant)).toBe('2026-09-08');
    expect(nowTimeIn('Asia/Yekaterinburg', instant)).toBe('00:30');
    expect(todayIn('UTC', instant)).toBe('2026-09-07');
    expect(todayIn('America/New_York', new Date('2026-09-08T03:59:00Z'))).toBe('2026-09-07');
  });

  it('[DT1] Russian and Excel dates', () => {
    expect(formatRuDate('2026-09-01')).toBe('01.09.2026');
    expect(parseRuDate('01.09.2026')).toBe('2026-09-01');
    expect(parseRuDate('1.9.26')).toBe('2026-09-01');
    expect(parseRuDate(' 2026-09-01 ')).toBe('2026-09-01');
    expect(excelSerialToDate(45901)).toBe('2025-09-01');
    expect(excelSerialToDate(46266.75)).toBe('2026-09-01');
    expect(excelSerialToDate(1)).toBe('1900-01-01');
    expect(excelSerialToDate(61)).toBe('1900-03-01');
    expect(dateToExcelSerial('2026-09-01')).toBe(46266);
    expect(dateToExcelSerial('1900-01-01')).toBe(1);
  });

  it('[DT4] malformed dates and times throw naming the field', () => {
    expectDomainError(
      () => parseLocalDate('2026-02-29', 'lesson.date'),
      'INVALID_DATE',
      'lesson.date',
    );
    expectDomainError(() => parseLocalDate('2026-9-1'), 'INVALID_DATE', 'date');
    expectDomainError(() => addDays('31.12.2026', 1), 'INVALID_DATE', 'date');
    expectDomainError(() => addDays('2026-12-31', 1.5), 'VALIDATION_FAILED', 'n');
    expectDomainError(() => compareDates('2026-09-01', 'tomorrow'), 'INVALID_DATE', 'b');
    expectDomainError(() => daysBetween('x', '2026-09-01'), 'INVALID_DATE', 'a');
    expectDomainError(() => isoWeekday('2026-13-01'), 'INVALID_DATE', 'date');
    expectDomainError(() => monthOf(''), 'INVALID_DATE', 'date');
    expectDomainError(() => monthDays('2026-13'), 'INVALID_DATE', 'month');
    expectDomainError(() => addMonths('2026-1', 1), 'INVALID_DATE', 'month');
    expectDomainError(() => minutesOf('24:00', 'end'), 'INVALID_TIME', 'end');
    expectDomainError(() => minutesOf('9:00'), 'INVALID_TIME', 'time');
    expectDomainError(() => parseLocalTime('17.00'), 'INVALID_TIME', 'time');
    expectDomainError(() => formatRuDate('2026-04-31'), 'INVALID_DATE', 'date');
    expectDomainError(
      () => parseRuDate('31.04.2026', 'plannedDate'),
      'INVALID_DATE',
      'plannedDate',
    );
    expectDomainError(() => parseRuDate('сентябрь'), 'INVALID_DATE', 'date');
    expectDomainError(() => excelSerialToDate(60), 'INVALID_DATE', 'date');
    expectDomainError(() => excelSerialToDate(Number.NaN), 'INVALID_DATE', 'date');
    expectDomainError(() => todayIn('Mars/Olympus'), 'VALIDATION_FAILED', 'timeZone');
    expectDomainError(() => nowTimeIn('UTC', new Date('nope')), 'VALIDATION_FAILED', 'now');
  });
});

describe('month names', () => {
  it('[DT1] a month is named in Russian, for headings and sheets', () => {
    expect(formatRuMonth('2026-09')).toBe('сентябрь 2026');
    expect(formatRuMonth('2027-01', true)).toBe('Январь 2027');
    expectDomainError(() => formatRuMonth('2026-13'), 'INVALID_DATE', 'month');
  });
});

describe('age on a date', () => {
  it('[AP2] whole years, one less until the birthday comes round', () => {
    expect(ageOn('2018-10-01', '2026-10-01')).toBe(8);
    expect(ageOn('2018-10-02', '2026-10-01')).toBe(7);
    expect(ageOn('2018-12-31', '2026-01-01')).toBe(7);
    expect(ageOn('1950-01-01', '2026-09-01')).toBe(76);
    // Born on 29 February: a year older on 1 March in a common year.
    expect(ageOn('2016-02-29', '2026-02-28')).toBe(9);
    expect(ageOn('2016-02-29', '2026-03-01')).toBe(10);
    expectDomainError(() => ageOn('2016-02-30', '2026-03-01'), 'INVALID_DATE', 'birthDate');
  });
});
