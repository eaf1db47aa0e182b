import { DomainError } from './errors.ts';
import type { AttendanceCode } from './schemas/catalog.ts';
import type { LessonStatus, Mark } from './schemas/journal.ts';

/**
 * Attendance codes. No official set exists for ДО; this is common Russian practice, and each
 * organisation may replace it (org.attendanceCodes). '' is "present", the default once a
 * teacher opens the roll. The journal does not know a learner's gender, so a label that is a
 * past-tense verb carries both endings (RU2): a girl's diary must not say «отсутствовал».
 */
export const DEFAULT_ATTENDANCE_CODES: AttendanceCode[] = [
  { code: '', label: 'присутствовал(а)', absent: false, excused: false },
  { code: 'Н', label: 'отсутствовал(а)', absent: true, excused: false },
  { code: 'Б', label: 'болел(а)', absent: true, excused: true },
  { code: 'УП', label: 'уважительная причина', absent: true, excused: true },
  { code: 'О', label: 'опоздал(а)', absent: false, excused: false },
];

/** The code's definition in the set, or undefined for a code the set does not have. */
export function codeInfo(codes: AttendanceCode[], code: string): AttendanceCode | undefined {
  if (!Array.isArray(codes)) {
    throw new DomainError('VALIDATION_FAILED', 'codes', 'ожидается список кодов посещаемости');
  }
  return codes.find((c) => c.code === code);
}

/**
 * Counts the marks that are not deleted: present (late included), absent (all absences) and
 * excused (the absences with a valid reason, a part of `absent`). A code missing from the set
 * throws, naming the mark, rather than being counted as something it may not be.
 */
export function summariseAttendance(
  marks: Mark[],
  codes: AttendanceCode[],
): { present: number; absent: number; excused: number } {
  const result = { present: 0, absent: 0, excused: 0 };
  marks.forEach((mark, i) => {
    if (mark._deleted) return;
    const info = codeInfo(codes, mark.code);
    if (!info) {
      throw new DomainError(
        'VALIDATION_FAILED',
        `marks[${i}].code`,
        `неизвестный код посещаемости «${mark.code}»`,
      );
    }
    if (!info.absent) result.present++;
    else {
      result.absent++;
      if (info.excused) result.excused++;
    }
  });
  return result;
}

/** The statuses of a lesson that did not take place on its date. */
export type NotHeldStatus = Extract<LessonStatus, 'cancelled' | 'moved'>;

/**
 * Cancelled or moved: nobody attended on the lesson's date, so its marks count nowhere (the
 * табель, the month grid, the parent's diary) and the teacher gives a reason (LS1, PR9).
 */
export function isNotHeld(status: LessonStatus | undefined): status is NotHeldStatus {
  return status === 'cancelled' || status === 'moved';
}
