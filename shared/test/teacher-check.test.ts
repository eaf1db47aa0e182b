import { describe, expect, it } from 'vitest';
import { mixedScriptWord, type TeacherFacts, teacherProblems } from '../src/teacher-check.ts';

const TODAY = '2026-12-05';
const GOOD: TeacherFacts = {
  lastName: 'Кузнецова',
  firstName: 'Ольга',
  middleName: 'Петровна',
  birthDate: '1984-05-17',
  passport: { issuedOn: '2004-06-01' },
  experienceTotalYears: 20,
  experienceTeachingYears: 15,
};

describe('teacher registry checks', () => {
  it('[RG2] a plausible entry has no problem', () => {
    expect(teacherProblems(GOOD, TODAY)).toEqual([]);
  });

  it('[RG2] lists every problem at once, each by its field, as a sentence', () => {
    const problems = teacherProblems(
      {
        ...GOOD,
        birthDate: '2036-05-17',
        passport: { issuedOn: '2027-01-01' },
        experienceTeachingYears: 25,
      },
      TODAY,
    );
    expect(problems.map((p) => p.field)).toEqual([
      'birthDate',
      'passport.issuedOn',
      'experienceTeachingYears',
    ]);
    for (const p of problems) expect(p.message).toMatch(/^[А-ЯЁ]/);
  });

  it('[RG2] a passport issued before 14 and experience beyond the age are both named', () => {
    const problems = teacherProblems(
      { ...GOOD, passport: { issuedOn: '1990-06-01' }, experienceTotalYears: 40 },
      TODAY,
    );
    expect(problems.map((p) => p.field)).toEqual(['passport.issuedOn', 'experienceTotalYears']);
  });

  it('[RG3] a name word mixing Latin and Cyrillic letters is a keyboard slip; a Latin name is not', () => {
    expect(mixedScriptWord('Kузнецова')).toBe('Kузнецова');
    expect(mixedScriptWord('Римская-Kорсакова')).toBe('Kорсакова');
    expect(mixedScriptWord('Smith')).toBeNull();
    expect(mixedScriptWord('Анна-Мария')).toBeNull();
    const problems = teacherProblems(
      { ...GOOD, lastName: 'Kузнецова', middleName: 'Пeтровна' },
      TODAY,
    );
    expect(problems.map((p) => p.field)).toEqual(['lastName', 'middleName']);
    expect(problems[0]?.message).toContain('(K)');
    expect(problems[1]?.message).toContain('(e)');
  });

  it('[RG4] a name with digits, a series «00…» and a number of zeros are each named', () => {
    const problems = teacherProblems(
      {
        ...GOOD,
        lastName: '12345',
        middleName: 'Петровна2',
        passport: { issuedOn: GOOD.passport.issuedOn, series: '0012', number: '000000' },
      },
      TODAY,
    );
    expect(problems.map((p) => p.field)).toEqual([
      'lastName',
      'middleName',
      'passport.series',
      'passport.number',
    ]);
    expect(problems[0]?.message).toBe('Фамилия пишется буквами, без цифр: проверьте написание');
    // A real series and number, a hyphenated name and an empty patronymic pass.
    const fine = {
      ...GOOD,
      lastName: 'Римская-Корсакова',
      middleName: '',
      passport: { issuedOn: GOOD.passport.issuedOn, series: '5304', number: '918273' },
    };
    expect(teacherProblems(fine, TODAY)).toEqual([]);
  });
});
