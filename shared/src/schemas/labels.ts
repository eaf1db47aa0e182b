import type { LessonStatus } from './journal.ts';
import type { Focus } from './primitives.ts';

/**
 * Russian names of the programme focuses. Kept apart from the zod schemas (primitives.ts
 * re-exports it) so that the journal's start-up code can show them without loading zod.
 */
export const FOCUS_LABELS: Record<Focus, string> = {
  technical: 'техническая',
  'natural-science': 'естественнонаучная',
  sports: 'физкультурно-спортивная',
  arts: 'художественная',
  tourism: 'туристско-краеведческая',
  social: 'социально-гуманитарная',
};

/** A lesson's status as the journal, the notices and the admin's history name it. */
export const LESSON_STATUS_LABELS: Record<LessonStatus, string> = {
  planned: 'по плану',
  held: 'проведено',
  cancelled: 'отменено',
  moved: 'перенесено',
};

/**
 * Why a табель column is starred (RP2, RP6): the same star marks both, so the legend of the
 * screen and of the XLSX says which.
 */
export const TABEL_FLAG_LABELS: Record<'off-schedule' | 'holiday', string> = {
  'off-schedule': 'вне расписания: занятия больше нет в расписании, отметки сохранены',
  holiday: 'нерабочий праздничный день',
};

/**
 * RU2: how an application's status reads. The stored names are the domain's and some speak of
 * the learner in one gender only («отчислен», «завершила обучение»); shown to a parent or an
 * admin, they read for a boy and a girl alike. Stored values never change (the server knows a
 * withdrawal by its name); an organisation's own statuses read as they are.
 */
const APPLICATION_STATUS_LABELS: Record<string, string> = {
  отчислен: 'отчислен(а)',
  'завершила обучение': 'завершил(а) обучение',
};

export function applicationStatusLabel(status: string): string {
  return APPLICATION_STATUS_LABELS[status] ?? status;
}
