/**
 * The fields of each journal kind that a teacher's device may change; the rest is identity.
 * Kept apart from the zod schemas (journal.ts re-exports it) so that the device's write path
 * and conflict rules load without zod.
 */
export const CLIENT_FIELDS = {
  lesson: ['status', 'statusReason', 'topicId', 'topicTitle', 'homework', 'remark'],
  topic: ['order', 'section', 'title', 'hours', 'form', 'control', 'plannedDate'],
  mark: ['code', 'grade', 'note'],
  roster: [],
} as const;
