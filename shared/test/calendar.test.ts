import { describe, expect, it } from 'vitest';
import raw from '../data/calendar-ru.json' with { type: 'json' };
import { DEFAULT_CALENDAR_DOC, defaultCalendar, loadCalendar } from '../src/calendar.ts';
import { catalogDocSchema } from '../src/schemas/catalog.ts';
import { expectDomainError } from './helpers.ts';

describe('holiday calendar', () => {
  it('[SCH3] the bundled copy knows the 2026/27 days off and the working Saturday', () => {
    const cal = defaultCalendar();
    expect(cal.isNonWorking('2026-11-04')).toBe(true);
    expect(cal.holidayName('2027-01-07')).toBe('Рождество Христово');
    expect(cal.isNonWorking('2026-12-31')).toBe(true);
    expect(cal.isNonWorking('2026-11-05')).toBe(false);
    // An ordinary Saturday is a lesson day in ДО, not a non-working day.
    expect(cal.isNonWorking('2026-09-05')).toBe(false);
    expect(cal.isTransferredWorkday('2027-11-13')).toBe(true);
    expect(cal.days).toHaveLength(raw.days.length);
  });

  it('[SCH3] DEFAULT_CALENDAR_DOC is a valid catalog document, so the server can store and replace it', () => {
    const parsed = catalogDocSchema.parse(DEFAULT_CALENDAR_DOC);
    expect(parsed).toMatchObject({ id: 'calendar-ru', type: 'calendar' });
    const updated = loadCalendar({
      ...DEFAULT_CALENDAR_DOC,
      days: [
        ...DEFAULT_CALENDAR_DOC.days,
        { date: '2027-12-30', kind: 'transferred', name: 'Новый перенос', status: 'confirmed' },
      ],
    });
    expect(updated.isNonWorking('2027-12-30')).toBe(true);
  });

  it('[DT4] a malformed calendar names the field', () => {
    expectDomainError(
      () =>
        loadCalendar({
          about: '',
          days: [{ date: '2027-02-30', kind: 'holiday', name: 'x', status: 'confirmed' }],
          workingWeekends: [],
        }),
      'VALIDATION_FAILED',
      'days[0].date',
    );
    const day = { date: '2027-01-01', kind: 'holiday', name: 'x', status: 'confirmed' };
    expectDomainError(
      () => loadCalendar({ about: '', days: [day, day], workingWeekends: [] }),
      'VALIDATION_FAILED',
      'days[1].date',
    );
    expectDomainError(
      () =>
        loadCalendar({
          about: '',
          days: [day],
          workingWeekends: [{ date: '2027-01-01', name: 'x', status: 'confirmed' }],
        }),
      'VALIDATION_FAILED',
      'workingWeekends[0].date',
    );
    expectDomainError(() => loadCalendar(null), 'VALIDATION_FAILED', 'calendar');
  });
});
