import {
  attendanceCodeSchema,
  calendarSchema,
  monthLockSchema,
  programmeSchema,
  scheduleSchema,
  subgroupSchema,
} from './schemas/catalog.ts';
import { enrolmentIntervalSchema, lessonStatusSchema } from './schemas/journal.ts';
import {
  docIdSchema,
  entityIdSchema,
  focusSchema,
  localDateSchema,
  localTimeSchema,
  monthSchema,
  shortText,
} from './schemas/primitives.ts';
import {
  applicationEventSchema,
  auditEntrySchema,
  passportSchema,
  refusalSchema,
  teacherCategorySchema,
} from './schemas/registry.ts';
import { z } from './zod.ts';

/**
 * The HTTP contract of the admin, parent and report endpoints (`@otmetka/shared/api`). The
 * sync server validates every request and response with these schemas and publishes them in
 * `/api/openapi.json`; the client's admin and parent screens parse every answer with them.
 *
 * Personal data (passport, СНИЛС, birth dates) appears in exactly one response shape:
 * `teacherRecordViewSchema`, the registry entry an admin of the same organisation opens.
 * Every list, every parent answer and every report carries names and ids only.
 *
 * Errors use the one shape of errors.ts (`ErrorBody`); a field error names its path in
 * `details.field` (`snils`, `passport.number`, `rules[1].to`).
 */

// ---------------------------------------------------------------------------------------------
// Common pieces

/** Path parameter `:id` of every entity route. */
export const idParamsSchema = z.object({ id: entityIdSchema });
export type IdParams = z.infer<typeof idParamsSchema>;

/** A person's name as it is typed in the forms; the display name is "Фамилия Имя". */
const personNameShape = {
  lastName: shortText.trim().min(1),
  firstName: shortText.trim().min(1),
  middleName: shortText.trim().default(''),
};

export const namedRefSchema = z.object({ id: entityIdSchema, displayName: shortText });
export type NamedRef = z.infer<typeof namedRefSchema>;

/** `{ ok: true }` of endpoints that have nothing else to say. */
export const okResponseSchema = z.object({ ok: z.literal(true) });

// ---------------------------------------------------------------------------------------------
// Teacher registry: /api/admin/teachers

/**
 * Create or replace a registry entry. `snils` may be typed with spaces and dashes; the server
 * keeps 11 digits and checks the checksum (INVALID_SNILS, field `snils`). Passport series and
 * number are digits (field `passport.series` / `passport.number`); dates are YYYY-MM-DD.
 */
export const teacherInputSchema = z.object({
  ...personNameShape,
  birthDate: localDateSchema,
  passport: passportSchema,
  snils: z.string().trim().min(1).max(20),
  experienceTotalYears: z.number().min(0).max(80),
  experienceTeachingYears: z.number().min(0).max(80),
  category: teacherCategorySchema,
  qualification: shortText.default(''),
});
export type TeacherInput = z.infer<typeof teacherInputSchema>;

/** The account of a registry entry, when it has one; `disabled`: sign-in blocked (AC3). */
export const teacherAccountSchema = z.object({
  userId: entityIdSchema,
  login: z.string(),
  disabled: z.boolean(),
});

/** A row of the registry list: no passport, no birth date, СНИЛС masked (`***-***-*45 95`). */
export const teacherListItemSchema = z.object({
  id: entityIdSchema,
  lastName: shortText,
  firstName: shortText,
  middleName: shortText,
  displayName: shortText,
  snilsMasked: z.string(),
  category: teacherCategorySchema,
  experienceTotalYears: z.number(),
  experienceTeachingYears: z.number(),
  qualification: shortText,
  account: teacherAccountSchema.nullable(),
  /** Subgroups the teacher is assigned to. */
  subgroupIds: z.array(entityIdSchema),
  /** RG5: the entry is in the archive (the teacher left the organisation). */
  archived: z.boolean(),
});
export type TeacherListItem = z.infer<typeof teacherListItemSchema>;

export const teacherListResponseSchema = z.object({ teachers: z.array(teacherListItemSchema) });
export type TeacherListResponse = z.infer<typeof teacherListResponseSchema>;

/** GET /api/admin/teachers/:id — the full entry, personal data included (admins only). */
export const teacherRecordViewSchema = z.object({
  id: entityIdSchema,
  lastName: shortText,
  firstName: shortText,
  middleName: shortText,
  displayName: shortText,
  birthDate: localDateSchema,
  passport: passportSchema,
  /** 11 digits; format with formatSnils for display. */
  snils: z.string(),
  experienceTotalYears: z.number(),
  experienceTeachingYears: z.number(),
  category: teacherCategorySchema,
  qualification: shortText,
  account: teacherAccountSchema.nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  archivedAt: z.number().int().nullable().optional(),
});
export type TeacherRecordView = z.infer<typeof teacherRecordViewSchema>;

/**
 * POST /api/admin/teachers/:id/account — creates the teacher's login (409 CONFLICT if taken).
 * AC1: the login is stored trimmed and lower-cased, as sign-in looks it up, so `TEACHER` is
 * the same login as `teacher`.
 */
const accountLoginSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(3)
  .max(64)
  .regex(/^[a-zA-Z0-9._-]+$/, {
    message: 'только латинские буквы, цифры, точка, дефис и подчёркивание',
  });
/** AC4: eight characters at least, and not only spaces (which a phone's keyboard makes easy). */
const accountPasswordSchema = z
  .string()
  .min(8)
  .max(256)
  .refine((password) => password.trim() !== '', 'пароль не может состоять из одних пробелов');

export const teacherAccountRequestSchema = z.object({
  login: accountLoginSchema,
  password: accountPasswordSchema,
});
export type TeacherAccountRequest = z.infer<typeof teacherAccountRequestSchema>;

/**
 * AC3, for a lost tablet or a teacher who left: POST /api/admin/teachers/:id/account/password
 * sets a new password, PUT …/account/access blocks or allows sign-in. Both end every session of
 * the account (its refresh tokens), so a device signed in before must sign in again.
 */
export const accountPasswordRequestSchema = z.object({ password: accountPasswordSchema });
export type AccountPasswordRequest = z.infer<typeof accountPasswordRequestSchema>;
export const accountAccessRequestSchema = z.object({ disabled: z.boolean() });

/**
 * PUT /api/admin/teachers/:id/archive — RG5: moves a registry entry to the archive or back. An
 * entry still assigned to a subgroup is refused (409 CONFLICT naming the subgroups); archiving
 * blocks the teacher's sign-in and ends their sessions. Answers with the list item.
 */
export const teacherArchiveRequestSchema = z.object({ archived: z.boolean() });
export type TeacherArchiveRequest = z.infer<typeof teacherArchiveRequestSchema>;
export type AccountAccessRequest = z.infer<typeof accountAccessRequestSchema>;

/**
 * POST /api/auth/register — AC2: a parent creates their own account in an organisation,
 * through the registration link the organisation gives out (`#/register/<orgId>`). Answers as a
 * sign-in does; 409 CONFLICT naming `login` when it is taken, 404 NOT_FOUND naming `orgId`.
 */
export const registerRequestSchema = z.object({
  orgId: entityIdSchema,
  displayName: z.string().trim().min(3, 'укажите фамилию, имя и отчество').max(160),
  login: accountLoginSchema,
  password: accountPasswordSchema,
});
export type RegisterRequest = z.infer<typeof registerRequestSchema>;

/** GET /api/public/orgs/:orgId — what a registration form shows of the organisation. */
export const publicOrgSchema = z.object({ id: entityIdSchema, name: z.string(), city: z.string() });
export type PublicOrg = z.infer<typeof publicOrgSchema>;

// ---------------------------------------------------------------------------------------------
// Programmes: /api/admin/programmes

export const programmeInputSchema = programmeSchema
  .omit({ id: true, type: true, orgId: true, _deleted: true })
  .extend({ description: z.string().max(2000).default('') })
  .refine((p) => p.ageFrom <= p.ageTo, {
    path: ['ageTo'],
    message: 'возраст «до» меньше возраста «от»',
  });
export type ProgrammeInput = z.infer<typeof programmeInputSchema>;

export const programmeViewSchema = programmeSchema.omit({ _deleted: true });
export type ProgrammeView = z.infer<typeof programmeViewSchema>;

export const programmeListResponseSchema = z.object({ programmes: z.array(programmeViewSchema) });
export type ProgrammeListResponse = z.infer<typeof programmeListResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Subgroups: /api/admin/subgroups

/** Teachers are ids of registry entries of the same organisation (unknown ids: 400, `teacherIds[i]`). */
export const subgroupInputSchema = subgroupSchema
  .omit({ id: true, type: true, orgId: true, _deleted: true })
  .refine((s) => s.periodFrom <= s.periodTo, {
    path: ['periodTo'],
    message: 'конец периода раньше начала',
  });
export type SubgroupInput = z.infer<typeof subgroupInputSchema>;

export const subgroupViewSchema = subgroupSchema.omit({ _deleted: true }).extend({
  programmeName: shortText,
  teachers: z.array(namedRefSchema),
  /** Learners enrolled today (org time zone). */
  enrolled: z.number().int(),
  hasSchedule: z.boolean(),
});
export type SubgroupView = z.infer<typeof subgroupViewSchema>;

export const subgroupListQuerySchema = z.object({ programmeId: entityIdSchema.optional() });
export const subgroupListResponseSchema = z.object({ subgroups: z.array(subgroupViewSchema) });
export type SubgroupListResponse = z.infer<typeof subgroupListResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Schedule: /api/admin/subgroups/:id/schedule

/** One dated slot of an expanded schedule (mirrors LessonSlot of schedule.ts). */
export const lessonSlotSchema = z.object({
  lessonId: docIdSchema,
  subgroupId: entityIdSchema,
  date: localDateSchema,
  start: localTimeSchema,
  end: localTimeSchema,
  academicHours: z.number(),
  /** The holiday's name when the slot falls on a non-working day (holidayRule 'flag'). */
  holiday: z.string().nullable(),
  ruleId: z.string().nullable(),
  movedFrom: z.object({ date: localDateSchema, start: localTimeSchema }).nullable(),
});
export type LessonSlotView = z.infer<typeof lessonSlotSchema>;

/** PUT body and preview body: the editable part of the schedule document. */
export const scheduleInputSchema = scheduleSchema.pick({
  rules: true,
  exceptions: true,
  holidayRule: true,
});
export type ScheduleInput = z.infer<typeof scheduleInputSchema>;

export const scheduleResponseSchema = z.object({
  /** null while the subgroup has no schedule (no journal, no applications). */
  schedule: scheduleSchema.omit({ _deleted: true }).nullable(),
});
export type ScheduleResponse = z.infer<typeof scheduleResponseSchema>;

/**
 * What a schedule change does to the journal: slots that disappear, slots that appear, the
 * removed slots whose lessons already have marks (kept and flagged 'off-schedule'), and the
 * slots that stay but end at another time or count other hours (SCH11; new values).
 */
export const scheduleImpactSchema = z.object({
  removed: z.array(lessonSlotSchema),
  added: z.array(lessonSlotSchema),
  keptWithMarks: z.array(lessonSlotSchema),
  changed: z.array(lessonSlotSchema),
});
export type ScheduleImpact = z.infer<typeof scheduleImpactSchema>;

/** Non-working days inside the study period, for the preview's calendar. */
export const previewHolidaySchema = z.object({ date: localDateSchema, name: shortText });

export const schedulePreviewResponseSchema = z.object({
  slots: z.array(lessonSlotSchema),
  holidays: z.array(previewHolidaySchema),
  totals: z.object({
    lessons: z.number().int(),
    academicHours: z.number(),
    /** Slots kept on a non-working day (holidayRule 'flag'). */
    onHolidays: z.number().int(),
    /** The subgroup's planned hours per year, to compare with academicHours. */
    hoursPerYear: z.number(),
  }),
  impact: scheduleImpactSchema,
  /** LK9: the locked month the save would refuse (LK4), with the save's message; null if none. */
  locked: z.object({ month: monthSchema, message: z.string() }).nullable().optional(),
});
export type SchedulePreviewResponse = z.infer<typeof schedulePreviewResponseSchema>;

export const scheduleSaveResponseSchema = z.object({
  schedule: scheduleSchema.omit({ _deleted: true }),
  impact: scheduleImpactSchema,
  /** Lessons with marks whose slot disappeared: kept, flagged 'off-schedule'. */
  lessonsFlagged: z.number().int(),
  /** Lessons without marks whose slot disappeared: deleted. */
  lessonsDeleted: z.number().int(),
});
export type ScheduleSaveResponse = z.infer<typeof scheduleSaveResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Applications and roster

/** An application as admins and parents see it: names, never a birth date. */
/**
 * EN7: another subgroup the child studies in whose lessons overlap this one's in time, from
 * today on: the first such lesson and how many there are.
 */
export const applicationOverlapSchema = z.object({
  subgroupId: entityIdSchema,
  subgroupName: shortText,
  programmeName: shortText,
  date: localDateSchema,
  start: localTimeSchema,
  end: localTimeSchema,
  otherStart: localTimeSchema,
  otherEnd: localTimeSchema,
  count: z.number().int().min(1),
});
export type ApplicationOverlap = z.infer<typeof applicationOverlapSchema>;

export const applicationViewSchema = z.object({
  id: entityIdSchema,
  subgroupId: entityIdSchema,
  subgroupName: shortText,
  programmeId: entityIdSchema,
  programmeName: shortText,
  learnerId: entityIdSchema,
  learnerName: shortText,
  parentUserId: entityIdSchema,
  parentName: shortText,
  status: shortText,
  history: z.array(applicationEventSchema),
  createdAt: z.number().int(),
  /** EN7: for an open application, the child's other subgroups whose lessons overlap. */
  overlaps: z.array(applicationOverlapSchema).optional(),
});
export type ApplicationView = z.infer<typeof applicationViewSchema>;

export const applicationListQuerySchema = z.object({
  status: shortText.optional(),
  subgroupId: entityIdSchema.optional(),
});
export type ApplicationListQuery = z.infer<typeof applicationListQuerySchema>;

export const applicationListResponseSchema = z.object({
  applications: z.array(applicationViewSchema),
  /** The organisation's status set, in board order («обучается» always present). */
  statuses: z.array(shortText),
});
export type ApplicationListResponse = z.infer<typeof applicationListResponseSchema>;

/**
 * POST /api/admin/applications/:id/status. `date` is the enrolment or withdrawal date, required
 * for «обучается» and «отчислен» (field `date`); the status must be one of the org's set
 * (INVALID_STATUS_CHANGE, field `status`); enrolling beyond capacity: CAPACITY_EXCEEDED.
 */
export const applicationStatusRequestSchema = z.object({
  status: shortText.min(1),
  date: localDateSchema.nullable().default(null),
  comment: shortText.default(''),
});
export type ApplicationStatusRequest = z.infer<typeof applicationStatusRequestSchema>;

export const rosterItemSchema = z.object({
  /** rosterId(subgroupId, learnerId) */
  id: docIdSchema,
  learnerId: entityIdSchema,
  name: shortText,
  intervals: z.array(enrolmentIntervalSchema),
  enrolledToday: z.boolean(),
});
export type RosterItem = z.infer<typeof rosterItemSchema>;

export const applicationStatusResponseSchema = z.object({
  application: applicationViewSchema,
  /** The roster entry after the change (null when the status does not touch the roster). */
  roster: rosterItemSchema.nullable(),
});
export type ApplicationStatusResponse = z.infer<typeof applicationStatusResponseSchema>;

export const rosterResponseSchema = z.object({
  subgroupId: entityIdSchema,
  capacity: z.number().int(),
  entries: z.array(rosterItemSchema),
});
export type RosterResponse = z.infer<typeof rosterResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Month locks: /api/admin/locks

export const lockListQuerySchema = z.object({ subgroupId: entityIdSchema.optional() });
export const lockListResponseSchema = z.object({
  locks: z.array(monthLockSchema.omit({ _deleted: true })),
  /** LK5: every lock and unlock as it was made, newest first, with the admin's name. */
  history: z.array(monthLockSchema.omit({ _deleted: true }).extend({ byName: shortText })),
  /** org.lockDay: months lock automatically on this day of the next month (null: never). */
  lockDay: z.number().int().nullable(),
});
export type LockListResponse = z.infer<typeof lockListResponseSchema>;

/** subgroupId null locks the whole organisation. An unlock needs a reason (field `reason`). */
export const lockRequestSchema = z
  .object({
    subgroupId: entityIdSchema.nullable(),
    month: monthSchema,
    locked: z.boolean(),
    reason: shortText.trim().default(''),
  })
  .refine((r) => r.locked || r.reason.length > 0, {
    path: ['reason'],
    message: 'чтобы открыть месяц, укажите причину',
  });
export type LockRequest = z.infer<typeof lockRequestSchema>;

export const lockResponseSchema = z.object({ lock: monthLockSchema.omit({ _deleted: true }) });

// ---------------------------------------------------------------------------------------------
// Audit trail and refused edits

/** Either `docId` (the history of one mark or lesson) or `subgroupId` with `month`. */
export const auditQuerySchema = z
  .object({
    docId: docIdSchema.optional(),
    subgroupId: entityIdSchema.optional(),
    month: monthSchema.optional(),
  })
  .refine((q) => q.docId !== undefined || (q.subgroupId !== undefined && q.month !== undefined), {
    path: ['docId'],
    message: 'укажите docId или subgroupId вместе с month',
  });
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const auditViewSchema = auditEntrySchema.omit({ type: true }).extend({
  /** The author's display name (or the user id when the user is gone). */
  byName: shortText,
});
export type AuditView = z.infer<typeof auditViewSchema>;

export const auditResponseSchema = z.object({ entries: z.array(auditViewSchema) });
export type AuditResponse = z.infer<typeof auditResponseSchema>;

export const refusalQuerySchema = z.object({ subgroupId: entityIdSchema.optional() });
export const refusalViewSchema = refusalSchema.omit({ type: true }).extend({
  byName: shortText,
  /** Names for the admin's eyes: the subgroup's, and for a mark the learner's from its roster. */
  subgroupName: shortText.nullable(),
  learnerName: shortText.nullable(),
});
export type RefusalView = z.infer<typeof refusalViewSchema>;
export const refusalResponseSchema = z.object({ refusals: z.array(refusalViewSchema) });
export type RefusalResponse = z.infer<typeof refusalResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Holiday calendar: /api/admin/calendar (the catalog `calendar-ru` document; devices pull it)

export const calendarInputSchema = calendarSchema.omit({ _deleted: true });
export type CalendarInput = z.infer<typeof calendarInputSchema>;
export const calendarResponseSchema = z.object({ calendar: calendarInputSchema });
export type CalendarResponse = z.infer<typeof calendarResponseSchema>;

// ---------------------------------------------------------------------------------------------
// Reports: /api/reports (admin, or a teacher of the subgroup)

/** GET /api/reports/tabel.xlsx and GET /api/reports/tabel (the same sheet as JSON). */
export const tabelQuerySchema = z.object({ subgroupId: entityIdSchema, month: monthSchema });
export type TabelQuery = z.infer<typeof tabelQuerySchema>;

/** Where a lesson went when the admin moved it (SCH14). */
export const lessonPlaceSchema = z.object({ date: localDateSchema, start: localTimeSchema });

export const tabelLessonSchema = z.object({
  lessonId: docIdSchema,
  date: localDateSchema,
  start: localTimeSchema,
  end: localTimeSchema,
  status: lessonStatusSchema,
  topicTitle: shortText,
  homework: z.string(),
  remark: z.string(),
  flag: z.enum(['off-schedule', 'holiday']).nullable(),
  /** RP8: the lesson's academic hours as the plan counts them (its slot's, RP4). */
  academicHours: z.number().optional(),
  /** RP12: where the admin moved this lesson from (its slot's `movedFrom`, SCH14). */
  movedFrom: lessonPlaceSchema.nullable().optional(),
});

export const tabelRowSchema = z.object({
  learnerId: entityIdSchema,
  name: shortText,
  /** One per lesson, in the order of `lessons`: the mark's code ('' present), null no mark. */
  cells: z.array(z.string().nullable()),
  /** One per lesson: whether the learner was enrolled on that lesson's date. */
  enrolled: z.array(z.boolean()),
  /** The mark document id of each cell, for the history of a mark (null: no mark). */
  markIds: z.array(docIdSchema.nullable()),
  absences: z.number().int(),
  excused: z.number().int(),
});

export const tabelResponseSchema = z.object({
  subgroupId: entityIdSchema,
  subgroupName: shortText,
  programmeName: shortText,
  month: monthSchema,
  lessons: z.array(tabelLessonSchema),
  rows: z.array(tabelRowSchema),
  codes: z.array(attendanceCodeSchema),
  /** RP7: the month's lessons cancelled or moved (no column), with the teacher's reason. */
  notHeld: z
    .array(
      tabelLessonSchema.extend({
        reason: shortText,
        /** SCH14: where the admin moved the lesson; absent for one the teacher moved. */
        movedTo: lessonPlaceSchema.nullable().optional(),
      }),
    )
    .optional(),
});
export type TabelResponse = z.infer<typeof tabelResponseSchema>;

export const hoursQuerySchema = z.object({ subgroupId: entityIdSchema });

export const hoursMonthSchema = z.object({
  month: monthSchema,
  plannedLessons: z.number().int(),
  plannedHours: z.number(),
  heldLessons: z.number().int(),
  deliveredHours: z.number(),
  cancelledLessons: z.number().int(),
});

/**
 * Hours against the plan: `hoursPerYear` is the subgroup's plan, `scheduledHours` what its
 * schedule gives over the study period, `deliveredHours` the academic hours of held lessons.
 */
export const hoursResponseSchema = z.object({
  subgroupId: entityIdSchema,
  subgroupName: shortText,
  hoursPerYear: z.number(),
  scheduledHours: z.number(),
  deliveredHours: z.number(),
  months: z.array(hoursMonthSchema),
});
export type HoursResponse = z.infer<typeof hoursResponseSchema>;

/** Whole percent of the year's plan delivered (the screen and the XLSX); 0 without a plan. */
export function planPercent(report: Pick<HoursResponse, 'hoursPerYear' | 'deliveredHours'>) {
  return report.hoursPerYear ? Math.round((report.deliveredHours / report.hoursPerYear) * 100) : 0;
}

// ---------------------------------------------------------------------------------------------
// Parent: /api/parent

export const scheduleSummaryItemSchema = z.object({
  from: localDateSchema,
  to: localDateSchema,
  weekdays: z.array(z.number().int().min(1).max(7)),
  start: localTimeSchema,
  end: localTimeSchema,
});

export const catalogSubgroupSchema = z.object({
  id: entityIdSchema,
  name: shortText,
  teachers: z.array(shortText),
  capacity: z.number().int(),
  freePlaces: z.number().int(),
  periodFrom: localDateSchema,
  periodTo: localDateSchema,
  schedule: z.array(scheduleSummaryItemSchema),
  /** A subgroup takes applications only with a study period and a schedule. */
  acceptsApplications: z.boolean(),
});

export const catalogProgrammeSchema = z.object({
  id: entityIdSchema,
  name: shortText,
  focus: focusSchema,
  focusLabel: shortText,
  level: programmeSchema.shape.level,
  ageFrom: z.number().int(),
  ageTo: z.number().int(),
  hoursPerYear: z.number(),
  description: z.string(),
  subgroups: z.array(catalogSubgroupSchema),
});

export const parentCatalogResponseSchema = z.object({
  orgName: shortText,
  programmes: z.array(catalogProgrammeSchema),
});
export type ParentCatalogResponse = z.infer<typeof parentCatalogResponseSchema>;

/**
 * Register a child. The birth date stays on the server; answers never carry it. With
 * `forSubgroupId` (the application form's new child) the child's age is checked against that
 * subgroup's programme first (AP10): a child refused by age is not registered.
 */
export const childInputSchema = z.object({
  ...personNameShape,
  birthDate: localDateSchema,
  forSubgroupId: entityIdSchema.optional(),
});
export type ChildInput = z.infer<typeof childInputSchema>;

export const childViewSchema = z.object({
  id: entityIdSchema,
  lastName: shortText,
  firstName: shortText,
  middleName: shortText,
  displayName: shortText,
});
export type ChildView = z.infer<typeof childViewSchema>;

export const childListResponseSchema = z.object({ children: z.array(childViewSchema) });
export type ChildListResponse = z.infer<typeof childListResponseSchema>;

/** POST /api/parent/applications: SCHEDULE_REQUIRED when the subgroup has no schedule. */
export const parentApplicationRequestSchema = z.object({
  learnerId: entityIdSchema,
  subgroupId: entityIdSchema,
});
export type ParentApplicationRequest = z.infer<typeof parentApplicationRequestSchema>;

export const parentApplicationListResponseSchema = z.object({
  applications: z.array(applicationViewSchema),
});
export type ParentApplicationListResponse = z.infer<typeof parentApplicationListResponseSchema>;

export const diaryParamsSchema = z.object({ learnerId: entityIdSchema });
export const diaryQuerySchema = z.object({ month: monthSchema });

export const diaryLessonSchema = z.object({
  lessonId: docIdSchema,
  date: localDateSchema,
  start: localTimeSchema,
  end: localTimeSchema,
  status: lessonStatusSchema,
  topicTitle: shortText,
  homework: z.string(),
  /** The child's attendance code ('' present), null when not marked. */
  code: z.string().nullable(),
  codeLabel: shortText.nullable(),
  grade: z.string().nullable(),
  /** SCH14: where the admin moved the lesson, for the parent to find it. */
  movedTo: lessonPlaceSchema.nullable().optional(),
  /** PD12: on the new date of a lesson the admin moved, where it was. */
  movedFrom: lessonPlaceSchema.nullable().optional(),
  /** PD15: the holiday's name when the lesson falls on a non-working day. */
  holiday: shortText.nullable().optional(),
});

export const diarySubgroupSchema = z.object({
  subgroupId: entityIdSchema,
  subgroupName: shortText,
  programmeName: shortText,
  gradesEnabled: z.boolean(),
  lessons: z.array(diaryLessonSchema),
});

export const diaryResponseSchema = z.object({
  learnerId: entityIdSchema,
  learnerName: shortText,
  month: monthSchema,
  subgroups: z.array(diarySubgroupSchema),
});
export type DiaryResponse = z.infer<typeof diaryResponseSchema>;
