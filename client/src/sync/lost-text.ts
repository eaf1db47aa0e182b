import { formatLocalDate, LESSON_STATUS_LABELS, type LessonStatus } from '@otmetka/shared';
import { FIELD_LABELS } from './errors.ts';
import type { LostField } from './lost-edits.ts';

/**
 * NT1: a lost edit in the teacher's words. The stored values are the documents' own (`held`,
 * a topic id, `''` for present, an ISO date); the teacher knows them as «проведено», the
 * topic's title, «✓» and 01.09.2026.
 */

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * The lost fields worth a line. A topic from the plan is written as its id and its title
 * together; the title says it all, so the id is shown only when it lost alone.
 */
export function shownLostFields(lost: readonly LostField[]): LostField[] {
  const hasTitle = lost.some((l) => l.field === 'topicTitle');
  return lost.filter((l) => !(hasTitle && l.field === 'topicId'));
}

/** «статус занятия, тема, домашнее задание»: each label once. */
export function lostFieldNames(lost: readonly LostField[]): string {
  const labels = shownLostFields(lost).map((l) => FIELD_LABELS[l.field] ?? 'данные');
  return [...new Set(labels)].join(', ');
}

/** «статус занятия: ваше «отменено», сохранено «перенесено»». */
export function lostFieldLine(lost: LostField): string {
  const label = FIELD_LABELS[lost.field] ?? 'данные';
  const mine = fieldValueText(lost.field, lost.mine);
  const theirs = fieldValueText(lost.field, lost.theirs);
  return `${label}: ваше «${mine}», сохранено «${theirs}»`;
}

/** A journal field's stored value as the teacher knows it (also the admin's history). */
export function fieldValueText(field: string, value: unknown): string {
  if (field === '_deleted') return value === true ? 'удалено' : 'есть';
  if (field === 'code' && value === '') return '✓';
  if (value === '' || value === null || value === undefined) return '—';
  if (field === 'status') return LESSON_STATUS_LABELS[value as LessonStatus] ?? '—';
  // Only the title means something to the teacher; an id is never shown.
  if (field === 'topicId') return 'тема из плана';
  if (field === 'plannedDate' && typeof value === 'string' && ISO_DATE.test(value)) {
    return formatLocalDate(value);
  }
  return String(value);
}
