import type { ErrorCode } from '@otmetka/shared';

/**
 * Every error code of the shared closed set, with the Russian message the teacher sees and what
 * to do about it. `Record<ErrorCode, …>` makes a new code in shared a compile error here until
 * it has a message. Network failures are not errors: offline is the normal state of a tablet.
 */

export type ErrorAction = 'none' | 'retry' | 'sign-in' | 'update-app' | 'review' | 'report';

export interface ErrorInfo {
  message: string;
  action: ErrorAction;
}

export const ERROR_MESSAGES: Record<ErrorCode, ErrorInfo> = {
  VALIDATION_FAILED: { message: 'Данные заполнены неверно.', action: 'review' },
  MALFORMED_JSON: { message: 'Сервер не понял запрос. Сообщите в поддержку.', action: 'report' },
  BODY_TOO_LARGE: { message: 'Слишком большой объём данных за один раз.', action: 'retry' },
  UNSUPPORTED_MEDIA_TYPE: { message: 'Неподдерживаемый формат запроса.', action: 'report' },
  UNKNOWN_COLLECTION: {
    message: 'Неизвестный раздел данных. Обновите приложение.',
    action: 'update-app',
  },
  PROTOCOL_MISMATCH: {
    message: 'Версия приложения устарела. Обновите приложение, чтобы продолжить синхронизацию.',
    action: 'update-app',
  },
  NOT_FOUND: { message: 'Запись не найдена.', action: 'none' },
  RATE_LIMITED: {
    message: 'Слишком много запросов. Повторим попытку чуть позже.',
    action: 'retry',
  },
  UNAUTHENTICATED: { message: 'Нужно войти в систему.', action: 'sign-in' },
  TOKEN_EXPIRED: { message: 'Сеанс истёк. Войдите снова.', action: 'sign-in' },
  TOKEN_INVALID: { message: 'Сеанс недействителен. Войдите снова.', action: 'sign-in' },
  INVALID_CREDENTIALS: { message: 'Неверный логин или пароль.', action: 'none' },
  ACCOUNT_DISABLED: {
    message: 'Вход заблокирован администратором. Обратитесь к администратору организации.',
    action: 'none',
  },
  FORBIDDEN: { message: 'Недостаточно прав для этого действия.', action: 'none' },
  NOT_TEACHER_OF_SUBGROUP: {
    message: 'Вы не ведёте эту подгруппу — изменение не принято.',
    action: 'review',
  },
  LESSON_NOT_ON_SCHEDULE: {
    message: 'Занятия нет в расписании на эту дату — изменение не принято.',
    action: 'review',
  },
  LEARNER_NOT_ENROLLED: {
    message: 'Обучающийся не зачислен в подгруппу на дату занятия — отметка не принята.',
    action: 'review',
  },
  MONTH_LOCKED: {
    message: 'Месяц закрыт для изменений. Обратитесь к администратору.',
    action: 'review',
  },
  IMMUTABLE_FIELD: { message: 'Это поле нельзя изменить.', action: 'review' },
  READ_ONLY_COLLECTION: { message: 'Эти данные изменяет только администратор.', action: 'review' },
  STAMP_REFUSED: {
    message: 'Изменение не принято: проверьте дату и время на устройстве и войдите снова.',
    action: 'review',
  },
  INVALID_DATE: { message: 'Неверная дата.', action: 'review' },
  INVALID_TIME: { message: 'Неверное время.', action: 'review' },
  INVALID_SNILS: { message: 'Неверный СНИЛС.', action: 'review' },
  INVALID_PASSPORT: { message: 'Неверные паспортные данные.', action: 'review' },
  INVALID_SCHEDULE: { message: 'Ошибка в расписании.', action: 'review' },
  OVERLAPPING_EXCEPTION: { message: 'Изменения расписания пересекаются.', action: 'review' },
  SCHEDULE_REQUIRED: { message: 'У подгруппы нет расписания.', action: 'none' },
  INVALID_STATUS_CHANGE: { message: 'Такая смена статуса невозможна.', action: 'review' },
  CAPACITY_EXCEEDED: { message: 'В подгруппе нет свободных мест.', action: 'none' },
  IMPORT_FILE_INVALID: { message: 'Файл не удалось прочитать.', action: 'review' },
  CONFLICT: {
    message: 'Ваше изменение перекрыто более поздним изменением с другого устройства.',
    action: 'review',
  },
  DATABASE_UNAVAILABLE: {
    message: 'Сервер временно недоступен. Данные сохранены на устройстве.',
    action: 'retry',
  },
  INTERNAL: { message: 'Ошибка на сервере. Данные сохранены на устройстве.', action: 'report' },
};

const UNKNOWN: ErrorInfo = {
  message: 'Неизвестная ошибка. Данные сохранены на устройстве; сообщите в поддержку.',
  action: 'report',
};

export function errorInfo(code: string): ErrorInfo {
  return (ERROR_MESSAGES as Record<string, ErrorInfo>)[code] ?? UNKNOWN;
}

export const FIELD_LABELS: Record<string, string> = {
  code: 'отметка',
  grade: 'оценка',
  note: 'примечание',
  status: 'статус занятия',
  statusReason: 'причина',
  topicId: 'тема',
  topicTitle: 'тема',
  homework: 'домашнее задание',
  remark: 'замечание',
  order: 'порядок',
  section: 'раздел',
  title: 'тема',
  hours: 'часы',
  form: 'форма занятия',
  control: 'форма контроля',
  plannedDate: 'плановая дата',
  _deleted: 'удаление',
};
