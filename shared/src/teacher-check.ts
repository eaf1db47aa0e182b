import { ageOn } from './dates.ts';

/**
 * The checks of a teacher registry entry that a schema cannot make (RG2, RG3): the order of its
 * dates, experience against age, names typed in two alphabets. The form and the server run the
 * same function and report every problem at once, so the admin corrects the entry in one pass
 * instead of one refused save per mistake.
 */

export const TEACHER_MIN_AGE = 16;
export const TEACHER_MAX_AGE = 100;
/** A Russian passport is first issued at 14. */
const PASSPORT_AGE = 14;

export interface TeacherProblem {
  field: string;
  code: 'INVALID_DATE' | 'VALIDATION_FAILED';
  message: string;
}

export interface TeacherFacts {
  lastName: string;
  firstName: string;
  middleName: string;
  birthDate: string;
  passport: { issuedOn: string; series?: string; number?: string };
  experienceTotalYears: number;
  experienceTeachingYears: number;
}

const NAME_FIELDS = [
  ['lastName', 'Фамилия'],
  ['firstName', 'Имя'],
  ['middleName', 'Отчество'],
] as const;

/**
 * RG3: a word with both Latin and Cyrillic letters is a keyboard slip (a Latin «K», «o», «c» in
 * a Russian name looks the same and sorts after «Я»); a wholly Latin name is allowed.
 */
export function mixedScriptWord(name: string): string | null {
  for (const word of name.split(/[\s-]+/)) {
    if (/\p{Script=Latin}/u.test(word) && /\p{Script=Cyrillic}/u.test(word)) return word;
  }
  return null;
}

function nameProblems(input: TeacherFacts): TeacherProblem[] {
  const problems: TeacherProblem[] = [];
  for (const [field, label] of NAME_FIELDS) {
    // RG4: «12345» was saved as a surname.
    const name = input[field].trim();
    if (name && (/\d/.test(name) || !/\p{L}/u.test(name))) {
      problems.push({
        field,
        code: 'VALIDATION_FAILED',
        message: `${label} пишется буквами, без цифр: проверьте написание`,
      });
      continue;
    }
    const word = mixedScriptWord(input[field]);
    if (word === null) continue;
    const latin = [...word].filter((c) => /\p{Script=Latin}/u.test(c)).join(', ');
    problems.push({
      field,
      code: 'VALIDATION_FAILED',
      message: `${label}: в слове «${word}» латинские буквы (${latin}) среди русских — проверьте раскладку клавиатуры`,
    });
  }
  return problems;
}

function birthProblem(birthDate: string, today: string): TeacherProblem | null {
  const fail = (message: string): TeacherProblem => ({
    field: 'birthDate',
    code: 'INVALID_DATE',
    message,
  });
  if (birthDate >= today) return fail('Дата рождения должна быть в прошлом');
  const age = ageOn(birthDate, today);
  if (age < TEACHER_MIN_AGE || age > TEACHER_MAX_AGE) {
    return fail(`Возраст педагога должен быть от ${TEACHER_MIN_AGE} до ${TEACHER_MAX_AGE} лет`);
  }
  return null;
}

/**
 * RG4: a series begins with the region's code, never «00», and no passport is numbered
 * «000000»: «0000 000000» was saved as a passport.
 */
function passportNumberProblems(input: TeacherFacts): TeacherProblem[] {
  const { series, number } = input.passport;
  const problems: TeacherProblem[] = [];
  if (series?.startsWith('00')) {
    problems.push({
      field: 'passport.series',
      code: 'VALIDATION_FAILED',
      message: 'Серия начинается с кода региона, а кода «00» нет: проверьте серию',
    });
  }
  if (number === '000000') {
    problems.push({
      field: 'passport.number',
      code: 'VALIDATION_FAILED',
      message: 'Номера паспорта из одних нулей не бывает: проверьте номер',
    });
  }
  return problems;
}

function passportProblem(input: TeacherFacts, today: string): TeacherProblem | null {
  const issuedOn = input.passport.issuedOn;
  const fail = (message: string): TeacherProblem => ({
    field: 'passport.issuedOn',
    code: 'INVALID_DATE',
    message,
  });
  if (issuedOn > today) return fail('Дата выдачи не может быть позже сегодняшнего дня');
  // Judged against a birth date that is itself plausible only: one error is enough for a typo.
  if (input.birthDate < today && ageOn(input.birthDate, issuedOn) < PASSPORT_AGE) {
    return fail(`Паспорт выдаётся с ${PASSPORT_AGE} лет: проверьте дату выдачи и дату рождения`);
  }
  return null;
}

function experienceProblems(input: TeacherFacts, today: string): TeacherProblem[] {
  const problems: TeacherProblem[] = [];
  const age = input.birthDate < today ? ageOn(input.birthDate, today) : null;
  if (age !== null && age >= TEACHER_MIN_AGE && input.experienceTotalYears > age - PASSPORT_AGE) {
    problems.push({
      field: 'experienceTotalYears',
      code: 'VALIDATION_FAILED',
      message: `Общий стаж больше, чем позволяет возраст (${age})`,
    });
  }
  if (input.experienceTeachingYears > input.experienceTotalYears) {
    problems.push({
      field: 'experienceTeachingYears',
      code: 'VALIDATION_FAILED',
      message: 'Педагогический стаж не может превышать общий',
    });
  }
  return problems;
}

/** Every problem of an entry whose fields are each well-formed; `today` in the org's zone. */
export function teacherProblems(input: TeacherFacts, today: string): TeacherProblem[] {
  return [
    ...nameProblems(input),
    birthProblem(input.birthDate, today),
    ...passportNumberProblems(input),
    passportProblem(input, today),
    ...experienceProblems(input, today),
  ].filter((p): p is TeacherProblem => p !== null);
}
