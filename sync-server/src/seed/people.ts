import {
  addDays,
  ageOn,
  type Learner,
  type TeacherProfile,
  type TeacherRecord,
  validateSnils,
} from '@otmetka/shared';
import { fullName } from '../admin/data.ts';
import { QUALIFICATIONS } from './data.ts';
import {
  FATHER_NAMES,
  FEMALE_NAMES,
  femaleSurname,
  MALE_NAMES,
  patronymic,
  SURNAMES,
} from './names.ts';
import type { Random } from './random.ts';

/**
 * People of the demo organisation: teachers with registry entries (valid СНИЛС, passports),
 * parents and their children. Every value comes from the seeded generator.
 */

export interface Person {
  lastName: string;
  firstName: string;
  middleName: string;
  female: boolean;
}

export function person(rng: Random, female: boolean, surname: string = rng.pick(SURNAMES)): Person {
  return {
    lastName: female ? femaleSurname(surname) : surname,
    firstName: female ? rng.pick(FEMALE_NAMES) : rng.pick(MALE_NAMES),
    middleName: patronymic(rng.pick(FATHER_NAMES), female),
    female,
  };
}

/** A date between `from` and `from + days`. */
export function dateAfter(rng: Random, from: string, days: number): string {
  return addDays(from, rng.int(0, days));
}

/**
 * A СНИЛС that passes the shared check: nine random digits above the unchecked range, then the
 * check number that validateSnils accepts (found by trying the 100 candidates).
 */
export function makeSnils(rng: Random): string {
  for (;;) {
    const body = `${rng.int(1, 9)}${rng.digits(8)}`;
    for (let check = 0; check < 100; check++) {
      const digits = `${body}${String(check).padStart(2, '0')}`;
      if (validateSnils(digits).ok) return digits;
    }
  }
}

export function makeTeacher(
  rng: Random,
  orgId: string,
  index: number,
  createdAt: number,
): TeacherRecord {
  const who = person(rng, rng.chance(0.8));
  const birthDate = dateAfter(rng, '1966-01-01', 32 * 365);
  // Work starts at 18 at the earliest (the registry refuses experience beyond age − 14).
  const total = rng.int(3, Math.min(35, ageOn(birthDate, '2026-09-01') - 18));
  return {
    id: `t-${String(index + 1).padStart(2, '0')}`,
    type: 'teacherRecord',
    orgId,
    lastName: who.lastName,
    firstName: who.firstName,
    middleName: who.middleName,
    birthDate,
    passport: {
      // 53 is the Orenburg region's series prefix.
      series: `53${rng.digits(2)}`,
      number: rng.digits(6),
      issuedBy: 'УМВД России по Оренбургской области',
      issuedOn: addDays(birthDate, 20 * 365 + rng.int(10, 200)),
    },
    snils: makeSnils(rng),
    experienceTotalYears: total,
    experienceTeachingYears: rng.int(Math.max(1, total - 10), total),
    category: rng.pick(['none', 'first', 'first', 'highest'] as const),
    qualification: rng.pick(QUALIFICATIONS),
    createdAt,
    updatedAt: createdAt,
  };
}

export function teacherProfile(record: TeacherRecord): TeacherProfile {
  return { id: record.id, type: 'teacher', orgId: record.orgId, displayName: fullName(record) };
}

/** A child of the family, aged to fit the programme on 1 September 2026. */
export function makeLearner(
  rng: Random,
  orgId: string,
  id: string,
  parentUserId: string,
  familySurname: string,
  ages: { from: number; to: number },
  createdAt: number,
): Learner {
  const who = person(rng, rng.chance(0.5), familySurname);
  const age = rng.int(ages.from, ages.to);
  return {
    id,
    type: 'learner',
    orgId,
    parentUserId,
    lastName: who.lastName,
    firstName: who.firstName,
    middleName: who.middleName,
    birthDate: dateAfter(rng, `${2026 - age - 1}-09-02`, 364),
    createdAt,
  };
}
