import { ApiError, ContractError, NetworkError } from './http.ts';

/**
 * Russian messages for failures of the admin and parent screens. The server's own message is
 * shown when it is more specific than the code (it names the field or the rule).
 */

const CODE_MESSAGES: Record<string, string> = {
  VALIDATION_FAILED: 'Проверьте заполнение полей',
  NOT_FOUND: 'Запись не найдена — возможно, её уже удалили',
  UNAUTHENTICATED: 'Сеанс завершён, войдите снова',
  TOKEN_EXPIRED: 'Сеанс истёк, войдите снова',
  TOKEN_INVALID: 'Сеанс недействителен, войдите снова',
  SIGN_IN_REQUIRED: 'Сеанс истёк, войдите снова',
  FORBIDDEN: 'Недостаточно прав для этого действия',
  INVALID_SNILS: 'Неверный СНИЛС',
  INVALID_PASSPORT: 'Неверные паспортные данные',
  INVALID_DATE: 'Неверная дата',
  INVALID_TIME: 'Неверное время',
  INVALID_SCHEDULE: 'Расписание содержит ошибку',
  OVERLAPPING_EXCEPTION: 'Два исключения относятся к одному занятию',
  SCHEDULE_REQUIRED: 'У подгруппы нет расписания — заявки и журнал недоступны',
  INVALID_STATUS_CHANGE: 'Такая смена статуса невозможна',
  CAPACITY_EXCEEDED: 'В подгруппе нет свободных мест',
  CONFLICT: 'Запись уже изменена кем-то другим, обновите страницу',
  RATE_LIMITED: 'Слишком много запросов, повторите через минуту',
  PROTOCOL_MISMATCH: 'Приложение устарело — обновите его',
  DATABASE_UNAVAILABLE: 'База данных сервера недоступна, повторите позже',
  INTERNAL: 'Внутренняя ошибка сервера',
};

/** The text to show for any error thrown by the api modules. */
export function errorMessage(error: unknown): string {
  if (error instanceof NetworkError) return 'Нет связи с сервером';
  if (error instanceof ContractError) return error.message;
  if (error instanceof ApiError) return apiErrorText(error);
  if (error instanceof Error) return error.message;
  return 'Неизвестная ошибка';
}

/**
 * A server's message without the field path it starts with ('snils: …'): the path is for
 * code, and the screen already shows the message next to that field.
 */
export function withoutFieldPath(message: string): string {
  return message.replace(/^[\w.[\]]+: /, '');
}

/**
 * RU4: the server writes a message to follow a field path (`snils: педагог с таким …`), so it
 * starts in lower case; shown on its own, next to a field or on a form's line, it is a
 * sentence.
 */
export function asSentence(text: string): string {
  return text.charAt(0).toLocaleUpperCase('ru') + text.slice(1);
}

function apiErrorText(error: ApiError): string {
  const general = CODE_MESSAGES[error.code];
  const own = withoutFieldPath(error.message);
  if (!own || error.message === error.code) return general ?? error.message;
  // PD13: the session's own «Сеанс истёк. Войдите снова.» after the code's text read twice.
  if (general && sameWords(general, own)) return general;
  // An error about one field says exactly what is wrong with it; the code's general text
  // would only mislead (a duplicate СНИЛС is a CONFLICT, not «изменена кем-то другим»).
  if (!general || error.field) return asSentence(own);
  return `${general}: ${own}`;
}

/** The same words, whatever the case and punctuation. */
function sameWords(a: string, b: string): boolean {
  const words = (text: string) =>
    text
      .toLocaleLowerCase('ru')
      .match(/[\p{L}\d]+/gu)
      ?.join(' ');
  return words(a) === words(b);
}

/**
 * Field errors of a failed save, keyed by the form's field path ('passport.series', 'snils').
 * The server names one field per error; a zod failure may list several in details.issues.
 */
export function fieldErrors(error: unknown): Record<string, string> {
  if (!(error instanceof ApiError)) return {};
  const out: Record<string, string> = {};

  const issues = error.details.issues;
  if (Array.isArray(issues)) {
    for (const issue of issues) {
      if (typeof issue !== 'object' || issue === null) continue;
      const { path, field, message } = issue as {
        path?: unknown;
        field?: unknown;
        message?: unknown;
      };
      const raw = typeof field === 'string' ? field : Array.isArray(path) ? path.join('.') : null;
      const key = raw === null ? null : fieldKey(raw);
      if (key && typeof message === 'string') out[key] = asSentence(withoutFieldPath(message));
    }
  }

  const own = error.field === undefined ? undefined : fieldKey(error.field);
  if (own && !out[own]) out[own] = apiErrorText(error);
  return out;
}

/**
 * One spelling of a field path for the forms: zod's `rules.0.start` and the domain's
 * `rules[0].start` name the same field, and the forms look errors up by the second.
 */
function fieldKey(path: string): string {
  return path.replace(/\.(\d+)(?=\.|$)/g, '[$1]');
}
