import type { SessionUser, Subgroup } from '@otmetka/shared';

/** The signed-in teacher of the screen tests: Orenburg, where the organisation is. */
export const TEACHER_USER: SessionUser = {
  id: 'teacher-user',
  orgId: 'org-1',
  role: 'teacher',
  displayName: 'Иванова А. А.',
  teacherId: 't-1',
  timeZone: 'Asia/Yekaterinburg',
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
