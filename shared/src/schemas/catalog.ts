import { z } from '../zod.ts';
import {
  entityIdSchema,
  focusSchema,
  localDateSchema,
  localTimeSchema,
  monthSchema,
  shortText,
  timeZoneSchema,
} from './primitives.ts';

/**
 * Catalog documents: organisation-level data that devices read but never write (the server and
 * the admin API own them). They replicate to devices through the pull-only `catalog` collection.
 */

export const attendanceCodeSchema = z.object({
  /** '' is "present"; the rest are short Russian marks such as Н, Б, УП, О. */
  code: z.string().max(8),
  label: shortText,
  absent: z.boolean(),
  excused: z.boolean(),
});
export type AttendanceCode = z.infer<typeof attendanceCodeSchema>;

export const orgSchema = z.object({
  id: entityIdSchema,
  type: z.literal('org'),
  name: shortText.min(1),
  city: shortText,
  timeZone: timeZoneSchema,
  attendanceCodes: z.array(attendanceCodeSchema).min(1).max(20),
  /** A month locks on this day of the next month; null: only explicit locks. */
  lockDay: z.number().int().min(1).max(28).nullable(),
  /** Application statuses; «обучается» is always present (APPLICATION_STUDYING). */
  applicationStatuses: z.array(shortText.min(1)).min(1).max(20),
  _deleted: z.boolean().optional(),
});
export type Org = z.infer<typeof orgSchema>;

export const programmeSchema = z.object({
  id: entityIdSchema,
  type: z.literal('programme'),
  orgId: entityIdSchema,
  name: shortText.min(1),
  focus: focusSchema,
  level: z.enum(['start', 'basic', 'advanced']),
  ageFrom: z.number().int().min(3).max(18),
  ageTo: z.number().int().min(3).max(18),
  hoursPerYear: z.number().min(1).max(2000),
  gradesEnabled: z.boolean(),
  description: z.string().max(2000),
  _deleted: z.boolean().optional(),
});
export type Programme = z.infer<typeof programmeSchema>;

export const subgroupSchema = z.object({
  id: entityIdSchema,
  type: z.literal('subgroup'),
  orgId: entityIdSchema,
  programmeId: entityIdSchema,
  name: shortText.min(1),
  teacherIds: z.array(entityIdSchema).max(10),
  capacity: z.number().int().min(1).max(500),
  periodFrom: localDateSchema,
  periodTo: localDateSchema,
  hoursPerYear: z.number().min(1).max(2000),
  _deleted: z.boolean().optional(),
});
export type Subgroup = z.infer<typeof subgroupSchema>;

/** ISO weekday: 1 is Monday, 7 is Sunday. */
export const weekdaySchema = z.number().int().min(1).max(7);

/** A weekly pattern, as the Navigator describes schedules. */
export const scheduleRuleSchema = z.object({
  id: entityIdSchema,
  from: localDateSchema,
  to: localDateSchema,
  weekdays: z.array(weekdaySchema).min(1).max(7),
  start: localTimeSchema,
  end: localTimeSchema,
  academicHours: z.number().min(0.5).max(12),
  minutesPerHour: z.number().int().min(15).max(60),
  breakMinutes: z.number().int().min(0).max(60),
});
export type ScheduleRule = z.infer<typeof scheduleRuleSchema>;

export const scheduleExceptionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('cancel'),
    date: localDateSchema,
    start: localTimeSchema,
    reason: shortText,
  }),
  z.object({
    kind: z.literal('move'),
    date: localDateSchema,
    start: localTimeSchema,
    toDate: localDateSchema,
    toStart: localTimeSchema,
    toEnd: localTimeSchema,
    reason: shortText,
  }),
  z.object({
    kind: z.literal('add'),
    date: localDateSchema,
    start: localTimeSchema,
    end: localTimeSchema,
    academicHours: z.number().min(0.5).max(12),
    reason: shortText,
  }),
]);
export type ScheduleException = z.infer<typeof scheduleExceptionSchema>;

export const scheduleSchema = z.object({
  /** scheduleId(subgroupId) */
  id: z.string().max(80),
  type: z.literal('schedule'),
  orgId: entityIdSchema,
  subgroupId: entityIdSchema,
  rules: z.array(scheduleRuleSchema).max(50),
  exceptions: z.array(scheduleExceptionSchema).max(500),
  /** On a non-working day: 'skip' drops the slot, 'flag' keeps it marked as a holiday. */
  holidayRule: z.enum(['skip', 'flag']),
  _deleted: z.boolean().optional(),
});
export type Schedule = z.infer<typeof scheduleSchema>;

/** What a device may know of a teacher: the name, nothing from the registry's personal data. */
export const teacherProfileSchema = z.object({
  id: entityIdSchema,
  type: z.literal('teacher'),
  orgId: entityIdSchema,
  displayName: shortText.min(1),
  _deleted: z.boolean().optional(),
});
export type TeacherProfile = z.infer<typeof teacherProfileSchema>;

/** A month lock of one subgroup, or of the whole organisation when subgroupId is null. */
export const monthLockSchema = z.object({
  /** lockId(subgroupId, month) */
  id: z.string().max(80),
  type: z.literal('lock'),
  orgId: entityIdSchema,
  subgroupId: entityIdSchema.nullable(),
  month: monthSchema,
  locked: z.boolean(),
  reason: shortText,
  at: z.number().int().min(0),
  by: entityIdSchema,
  _deleted: z.boolean().optional(),
});
export type MonthLock = z.infer<typeof monthLockSchema>;

export const calendarDaySchema = z.object({
  date: localDateSchema,
  kind: z.enum(['holiday', 'transferred']),
  name: shortText,
  status: z.enum(['confirmed', 'expected', 'reported']),
});
export type CalendarDay = z.infer<typeof calendarDaySchema>;

export const calendarSchema = z.object({
  id: z.literal('calendar-ru'),
  type: z.literal('calendar'),
  about: z.string().max(2000),
  days: z.array(calendarDaySchema).max(2000),
  workingWeekends: z.array(
    z.object({ date: localDateSchema, name: shortText, status: calendarDaySchema.shape.status }),
  ),
  _deleted: z.boolean().optional(),
});
export type Calendar = z.infer<typeof calendarSchema>;

export const catalogDocSchema = z.discriminatedUnion('type', [
  orgSchema,
  programmeSchema,
  subgroupSchema,
  scheduleSchema,
  teacherProfileSchema,
  monthLockSchema,
  calendarSchema,
]);
export type CatalogDoc = z.infer<typeof catalogDocSchema>;

/**
 * RM1: what a catalog pull sends for a document that left the caller's view (a subgroup the
 * teacher was taken off, its schedule and locks, a programme or a colleague's profile no
 * longer needed): its id and kind, and nothing of its content.
 */
export const catalogTombstoneSchema = z.strictObject({
  id: z.string().min(1).max(80),
  type: z.enum(['programme', 'subgroup', 'schedule', 'teacher', 'lock']),
  _deleted: z.literal(true),
});
export type CatalogTombstone = z.infer<typeof catalogTombstoneSchema>;
