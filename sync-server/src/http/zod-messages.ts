import type { z } from 'zod';

/**
 * Russian text for a zod issue, for the API's 4xx messages. zod writes its own messages in
 * English; a message a schema gives itself is kept when it is already Russian. The text names
 * what was expected and, when the parse kept the input (`reportInput`), the kind of value that
 * came, never the value itself: the message must not echo what a caller sent.
 */

type Issue = z.core.$ZodIssue;

const CYRILLIC = /[а-яё]/i;

/** What was expected, as «ожидается …» continues it. */
const EXPECTED: Record<string, string> = {
  string: 'строка',
  number: 'число',
  int: 'целое число',
  boolean: 'true или false',
  bigint: 'целое число',
  array: 'массив',
  object: 'объект',
  record: 'объект',
  tuple: 'массив',
  date: 'дата',
  null: 'null',
  undefined: 'отсутствие значения',
  nonoptional: 'значение',
};

/** What came instead, with the participle agreeing with the noun. */
const RECEIVED: Record<string, string> = {
  string: 'получена строка',
  number: 'получено число',
  fraction: 'получено дробное число',
  infinite: 'получено бесконечно большое число',
  nan: 'получено NaN',
  boolean: 'получено логическое значение',
  bigint: 'получено большое целое',
  array: 'получен массив',
  object: 'получен объект',
  null: 'получен null',
};

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (!Number.isFinite(value)) return 'infinite';
    return Number.isInteger(value) ? 'number' : 'fraction';
  }
  return typeof value;
}

/** Russian plural form after a count: 1 символ, 2 символа, 5 символов. */
function plural(n: number, one: string, few: string, many: string): string {
  const tens = Math.abs(n) % 100;
  const units = tens % 10;
  if (tens >= 11 && tens <= 19) return many;
  if (units === 1) return one;
  if (units >= 2 && units <= 4) return few;
  return many;
}

const UNITS: Record<string, { one: string; few: string; many: string; oneOf: string }> = {
  string: { one: 'символ', few: 'символа', many: 'символов', oneOf: 'символа' },
  file: { one: 'байт', few: 'байта', many: 'байт', oneOf: 'байта' },
  items: { one: 'элемент', few: 'элемента', many: 'элементов', oneOf: 'элемента' },
};

/**
 * «ровно 2 символа» after `exact`, but «не больше 2 символов» after a comparison: there the
 * count is read in the genitive («двух символов», «двадцати одного символа»).
 */
function countOf(origin: string, n: number, afterComparison: boolean): string {
  const unit = UNITS[origin] ?? UNITS.items!;
  if (!afterComparison) return `${n} ${plural(n, unit.one, unit.few, unit.many)}`;
  return `${n} ${plural(n, unit.oneOf, unit.many, unit.many)}`;
}

const COUNTED = new Set(['string', 'array', 'set', 'map', 'file']);

function invalidType(issue: Extract<Issue, { code: 'invalid_type' }>): string {
  const expected = EXPECTED[issue.expected] ?? 'значение другого типа';
  if (!('input' in issue)) return `ожидается ${expected}`;
  if (issue.input === undefined) return `обязательное поле: ожидается ${expected}`;
  const kind = kindOf(issue.input);
  if (issue.expected === 'int' && kind === 'fraction') return 'ожидается целое число';
  return `ожидается ${expected}, ${RECEIVED[kind] ?? 'получено значение другого типа'}`;
}

function tooSmall(issue: Extract<Issue, { code: 'too_small' }>): string {
  const min = Number(issue.minimum);
  if (COUNTED.has(issue.origin)) {
    if (issue.exact) return `ожидается ровно ${countOf(issue.origin, min, false)}`;
    if (min <= 1 && issue.inclusive !== false) {
      return issue.origin === 'string' ? 'не может быть пустым' : 'нужен хотя бы один элемент';
    }
    return `ожидается не меньше ${countOf(issue.origin, min, true)}`;
  }
  if (issue.origin === 'date') return 'слишком ранняя дата';
  return issue.inclusive === false ? `должно быть больше ${min}` : `должно быть не меньше ${min}`;
}

function tooBig(issue: Extract<Issue, { code: 'too_big' }>): string {
  const max = Number(issue.maximum);
  if (COUNTED.has(issue.origin)) {
    if (issue.exact) return `ожидается ровно ${countOf(issue.origin, max, false)}`;
    return issue.origin === 'string'
      ? `не длиннее ${countOf(issue.origin, max, true)}`
      : `ожидается не больше ${countOf(issue.origin, max, true)}`;
  }
  if (issue.origin === 'date') return 'слишком поздняя дата';
  return issue.inclusive === false ? `должно быть меньше ${max}` : `должно быть не больше ${max}`;
}

const FORMATS: Record<string, string> = {
  email: 'неверный адрес электронной почты',
  url: 'неверный адрес (URL)',
  uuid: 'неверный идентификатор (UUID)',
  date: 'неверная дата, ожидается ГГГГ-ММ-ДД',
  datetime: 'неверные дата и время (ISO 8601)',
  time: 'неверное время, ожидается ЧЧ:ММ',
  base64: 'ожидается строка base64',
  base64url: 'ожидается строка base64url',
  jwt: 'неверный токен',
};

function invalidFormat(issue: Extract<Issue, { code: 'invalid_format' }>): string {
  const detail = issue as { prefix?: string; suffix?: string; includes?: string };
  if (issue.format === 'starts_with') return `должно начинаться с «${detail.prefix}»`;
  if (issue.format === 'ends_with') return `должно оканчиваться на «${detail.suffix}»`;
  if (issue.format === 'includes') return `должно содержать «${detail.includes}»`;
  return FORMATS[issue.format] ?? 'неверный формат';
}

/** Allowed values are the schema's own (enum members, literals), never the caller's input. */
function invalidValue(issue: Extract<Issue, { code: 'invalid_value' }>): string {
  const shown = issue.values.map((v) => (typeof v === 'string' ? `«${v}»` : String(v)));
  if (shown.length === 1) return `ожидается ${shown[0]}`;
  return `ожидается одно из значений: ${shown.join(', ')}`;
}

/** Key names come from the caller: a few, cut short, so the answer cannot be made to grow. */
function unrecognizedKeys(issue: Extract<Issue, { code: 'unrecognized_keys' }>): string {
  const keys = issue.keys.slice(0, 5).map((k) => `«${k.length > 40 ? `${k.slice(0, 40)}…` : k}»`);
  const more = issue.keys.length > keys.length ? ` и ещё ${issue.keys.length - keys.length}` : '';
  return issue.keys.length === 1
    ? `лишнее поле ${keys[0]}`
    : `лишние поля ${keys.join(', ')}${more}`;
}

/** The Russian text of one issue: the schema's own Russian message, or one made from its code. */
export function russianIssueText(issue: Issue): string {
  if (CYRILLIC.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type':
      return invalidType(issue);
    case 'too_small':
      return tooSmall(issue);
    case 'too_big':
      return tooBig(issue);
    case 'invalid_format':
      return invalidFormat(issue);
    case 'invalid_value':
      return invalidValue(issue);
    case 'unrecognized_keys':
      return unrecognizedKeys(issue);
    case 'not_multiple_of':
      return `должно быть кратно ${issue.divisor}`;
    case 'invalid_union':
      return 'значение не подходит ни под один из допустимых вариантов';
    case 'invalid_key':
      return 'недопустимый ключ';
    case 'invalid_element':
      return 'недопустимый элемент';
    default:
      return 'недопустимое значение';
  }
}
