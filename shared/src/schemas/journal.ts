import { z } from '../zod.ts';
import {
  docIdSchema,
  entityIdSchema,
  localDateSchema,
  localTimeSchema,
  longText,
  shortText,
  stampsSchema,
} from './primitives.ts';

/**
 * Journal documents: the ones a teacher's device writes and replicates. Each lives in the
 * database of its subgroup. `stamps` holds the edit metadata of each client-owned field (and of
 * `_deleted`), which the conflict rules in conflict.ts merge field by field.
 */

const journalBase = {
  id: docIdSchema,
  orgId: entityIdSchema,
  subgroupId: entityIdSchema,
  stamps: stampsSchema,
  _deleted: z.boolean().optional(),
};

export const lessonStatusSchema = z.enum(['planned', 'held', 'cancelled', 'moved']);
export type LessonStatus = z.infer<typeof lessonStatusSchema>;

/**
 * A lesson is one slot of the subgroup's schedule; its id comes from the slot (lessonId() in
 * ids.ts), so two devices opening the same date create the same document.
 * `flag` is written by the server only: 'off-schedule' for a lesson with marks whose slot a
 * schedule edit removed, 'holiday' for a lesson on a non-working day.
 */
export const lessonSchema = z.object({
  ...journalBase,
  type: z.literal('lesson'),
  date: localDateSchema,
  start: localTimeSchema,
  end: localTimeSchema,
  academicHours: z.number().min(0).max(12),
  status: lessonStatusSchema,
  statusReason: shortText,
  topicId: docIdSchema.nullable(),
  topicTitle: shortText,
  homework: longText,
  remark: longText,
  flag: z.enum(['off-schedule', 'holiday']).nullable(),
});
export type Lesson = z.infer<typeof lessonSchema>;

/** A topic of the calendar study plan (КТП) of a subgroup. */
export const topicSchema = z.object({
  ...journalBase,
  type: z.literal('topic'),
  order: z.number().int().min(0).max(100_000),
  section: shortText,
  title: shortText.min(1),
  hours: z.number().min(0).max(100),
  form: shortText,
  control: shortText,
  plannedDate: localDateSchema.nullable(),
});
export type Topic = z.infer<typeof topicSchema>;

/**
 * One learner on one lesson: the attendance code ('' means present), an optional grade and a
 * note. One document per (lesson, learner), so devices marking different learners never
 * conflict.
 */
export const markSchema = z.object({
  ...journalBase,
  type: z.literal('mark'),
  lessonId: docIdSchema,
  learnerId: entityIdSchema,
  date: localDateSchema,
  code: z.string().max(8),
  grade: z.string().max(8).nullable(),
  note: shortText,
});
export type Mark = z.infer<typeof markSchema>;

export const enrolmentIntervalSchema = z.object({
  from: localDateSchema,
  /** The last day of study (inclusive), or null while the learner studies. */
  to: localDateSchema.nullable(),
});
export type EnrolmentInterval = z.infer<typeof enrolmentIntervalSchema>;

/**
 * A learner in a subgroup. Written by the server only (from application status changes); the
 * device gets the display name and the intervals, never a birth date or СНИЛС.
 */
export const rosterEntrySchema = z.object({
  ...journalBase,
  type: z.literal('roster'),
  learnerId: entityIdSchema,
  name: shortText.min(1),
  intervals: z.array(enrolmentIntervalSchema).max(50),
});
export type RosterEntry = z.infer<typeof rosterEntrySchema>;

export const journalDocSchema = z.discriminatedUnion('type', [
  lessonSchema,
  topicSchema,
  markSchema,
  rosterEntrySchema,
]);
export type JournalDoc = z.infer<typeof journalDocSchema>;

import { CLIENT_FIELDS } from './client-fields.ts';

export { CLIENT_FIELDS };

// Every journal kind names its client-owned fields (a new kind without them fails to compile).
CLIENT_FIELDS satisfies Record<JournalDoc['type'], readonly string[]>;
