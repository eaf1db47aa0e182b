import { z } from '../zod.ts';
import { entityIdSchema, localDateSchema, shortText } from './primitives.ts';

/**
 * Server-only documents. The teacher registry and the learners' private data hold personal data
 * (152-ФЗ): they live in the organisation's private database, are returned to its admins only,
 * never replicate to a device and never enter a log.
 */

export const PERSONAL_DATA_FIELDS = ['birthDate', 'passport', 'snils'] as const;

export const passportSchema = z.object({
  series: z.string().regex(/^\d{4}$/, { message: 'ожидается 4 цифры' }),
  number: z.string().regex(/^\d{6}$/, { message: 'ожидается 6 цифр' }),
  issuedBy: shortText.min(1),
  issuedOn: localDateSchema,
});
export type Passport = z.infer<typeof passportSchema>;

export const teacherCategorySchema = z.enum(['none', 'first', 'highest']);

export const CATEGORY_LABELS: Record<z.infer<typeof teacherCategorySchema>, string> = {
  none: 'без категории',
  first: 'первая',
  highest: 'высшая',
};

/** A teacher registry entry (реестр педагогов). snils holds 11 digits, validated by snils.ts. */
export const teacherRecordSchema = z.object({
  id: entityIdSchema,
  type: z.literal('teacherRecord'),
  orgId: entityIdSchema,
  lastName: shortText.min(1),
  firstName: shortText.min(1),
  middleName: shortText,
  birthDate: localDateSchema,
  passport: passportSchema,
  snils: z.string().regex(/^\d{11}$/, { message: 'ожидается 11 цифр' }),
  experienceTotalYears: z.number().min(0).max(80),
  experienceTeachingYears: z.number().min(0).max(80),
  category: teacherCategorySchema,
  qualification: shortText,
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  /** RG5: when the admin moved the entry to the archive (the teacher left); null or absent: active. */
  archivedAt: z.number().int().nullable().optional(),
});
export type TeacherRecord = z.infer<typeof teacherRecordSchema>;

/** A child known to the organisation; the name is public to its teachers, the rest is private. */
export const learnerSchema = z.object({
  id: entityIdSchema,
  type: z.literal('learner'),
  orgId: entityIdSchema,
  parentUserId: entityIdSchema,
  lastName: shortText.min(1),
  firstName: shortText.min(1),
  middleName: shortText,
  birthDate: localDateSchema,
  createdAt: z.number().int(),
});
export type Learner = z.infer<typeof learnerSchema>;

/** «обучается» is fixed by the domain; the rest of the status set is configurable per org. */
export const APPLICATION_STUDYING = 'обучается';
export const APPLICATION_WITHDRAWN = 'отчислен';
export const DEFAULT_APPLICATION_STATUSES = [
  'новая',
  'подтверждена',
  'в резерве',
  APPLICATION_STUDYING,
  'отклонена',
  APPLICATION_WITHDRAWN,
  'завершила обучение',
];

export const applicationEventSchema = z.object({
  status: shortText.min(1),
  at: z.number().int(),
  by: entityIdSchema,
  /** The date the status takes effect: enrolment or withdrawal date. */
  date: localDateSchema.nullable(),
  comment: shortText,
});

export const applicationSchema = z.object({
  id: entityIdSchema,
  type: z.literal('application'),
  orgId: entityIdSchema,
  subgroupId: entityIdSchema,
  learnerId: entityIdSchema,
  parentUserId: entityIdSchema,
  status: shortText.min(1),
  history: z.array(applicationEventSchema).min(1).max(200),
  createdAt: z.number().int(),
});
export type Application = z.infer<typeof applicationSchema>;

export const roleSchema = z.enum(['admin', 'teacher', 'parent']);
export type Role = z.infer<typeof roleSchema>;

export const userSchema = z.object({
  id: entityIdSchema,
  type: z.literal('user'),
  orgId: entityIdSchema,
  login: z.string().min(3).max(64),
  role: roleSchema,
  displayName: shortText.min(1),
  /** The registry entry of a teacher account. */
  teacherId: entityIdSchema.nullable(),
  /** scrypt$N$r$p$salt$hash, see sync-server/src/auth/password.ts */
  passwordHash: z.string().max(400),
  createdAt: z.number().int(),
  /** AC3: an admin blocked sign-in (absent in accounts made before: allowed). */
  disabled: z.boolean().optional(),
});
export type User = z.infer<typeof userSchema>;

/** A push row the server refused, kept for the admin (who, what, why). */
export const refusalSchema = z.object({
  id: z.string().max(200),
  type: z.literal('refusal'),
  orgId: entityIdSchema,
  subgroupId: entityIdSchema.nullable(),
  userId: entityIdSchema,
  deviceId: z.string().max(64),
  collection: z.string().max(32),
  docId: z.string().max(160),
  code: z.string().max(64),
  message: z.string().max(500),
  attempted: z.record(z.string(), z.unknown()),
  at: z.number().int(),
});
export type Refusal = z.infer<typeof refusalSchema>;

/** One change of one field of a mark or lesson: who, when, old → new, device, offline or not. */
export const auditEntrySchema = z.object({
  id: z.string().max(240),
  type: z.literal('audit'),
  orgId: entityIdSchema,
  subgroupId: entityIdSchema,
  docId: z.string().max(160),
  field: z.string().max(40),
  old: z.unknown(),
  new: z.unknown(),
  by: z.string().max(64),
  device: z.string().max(64),
  editedAt: z.number().int(),
  receivedAt: z.number().int(),
  offline: z.boolean(),
  /**
   * Never stored: set when the entry was completed from the document's own stamp because its
   * audit write was lost (receivedAt is then the edit's time, and `old` null when unknown).
   */
  recovered: z.boolean().optional(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

/**
 * How the audit is stored: the entries of one push for one subgroup in one document, so a push
 * of 200 marks adds one audit write, not 200. The entries are kept as one JSON text: the
 * database never looks inside them, and one string costs it a copy where two hundred objects
 * cost a deep clone and a serialisation each (a third of a push's time, measured). Batches
 * written before this held an `entries` array.
 */
export const auditBatchSchema = z.object({
  id: z.string().max(240),
  type: z.literal('audit-batch'),
  orgId: entityIdSchema,
  subgroupId: entityIdSchema,
  receivedAt: z.number().int(),
  /** The author and device of most entries; an entry names its own when they differ. */
  by: z.string().max(64),
  device: z.string().max(64),
  entriesJson: z.string(),
});
export type AuditBatch = z.infer<typeof auditBatchSchema>;
