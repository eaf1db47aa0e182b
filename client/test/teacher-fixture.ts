import type { LessonSlot, Org, Programme, SessionUser, Subgroup } from '@otmetka/shared';
import { DEFAULT_APPLICATION_STATUSES, DEFAULT_ATTENDANCE_CODES, lessonId } from '@otmetka/shared';

/** The organisation: a Дом детского творчества in Orenburg, no automatic month lock. */
export const ORG: Org = {
  id: 'org-1',
  type: 'org',
  name: 'ДДТ',
  city: 'Оренбург',
  timeZone: 'Asia/Yekaterinburg',
  attendanceCodes: DEFAULT_ATTENDANCE_CODES,
  lockDay: null,
  applicationStatuses: DEFAULT_APPLICATION_STATUSES,
};

/** The signed-in teacher of the screen tests: Orenburg, where the organisation is. */
export const TEACHER_USER: SessionUser = {
  id: 'teacher-user',
  orgId: 'org-1',
  role: 'teacher',
  displayName: 'Иванова А. А.',
  teacherId: 't-1',
  timeZone: 'Asia/Yekaterinburg',
};

/** The programme of their subgroup; grades are given. */
export const PROGRAMME: Programme = {
  id: 'prog-1',
  type: 'programme',
  orgId: 'org-1',
  name: 'Робототехника',
  focus: 'technical',
  level: 'start',
  ageFrom: 8,
  ageTo: 12,
  hoursPerYear: 72,
  gradesEnabled: true,
  description: '',
};

/** Their subgroup, studying 01.09.2026–31.05.2027. */
export const SUBGROUP: Subgroup = {
  id: 'sg-1',
  type: 'subgroup',
  orgId: 'org-1',
  programmeId: 'prog-1',
  name: 'Группа 1',
  teacherIds: ['t-1'],
  capacity: 15,
  periodFrom: '2026-09-01',
  periodTo: '2027-05-31',
  hoursPerYear: 72,
};

/** The subgroup's lesson slot on `date`, 15:00–16:30, as the schedule expands it. */
export function slotOn(date: string): LessonSlot {
  return {
    lessonId: lessonId(SUBGROUP.id, date, '15:00'),
    subgroupId: SUBGROUP.id,
    date,
    start: '15:00',
    end: '16:30',
    academicHours: 2,
    holiday: null,
    ruleId: 'rule-1',
    movedFrom: null,
  };
}
