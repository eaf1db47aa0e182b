import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { dateToExcelSerial } from '../src/dates.ts';
import {
  checkTopicHours,
  MAX_IMPORT_TOPICS,
  parseTopicsFile,
  TOPIC_TEMPLATE_COLUMNS,
  topicsTemplateCsv,
  topicsTemplateXlsx,
} from '../src/topics-import.ts';
import { writeXlsx } from '../src/xlsx.ts';
import { handBuiltXlsx } from './fixtures/xlsx-by-hand.ts';
import { expectDomainError } from './helpers.ts';

/** The plan every fixture below encodes, as a teacher would type it. */
const PLAN = [
  [
    '1',
    'Введение; основы',
    'Вводное занятие, техника безопасности',
    '2',
    'беседа',
    'опрос',
    '01.09.2026',
  ],
  [
    '2',
    'Введение; основы',
    'Материалы "и" инструменты',
    '1,5',
    'практика',
    'наблюдение',
    '03.09.2026',
  ],
  ['3', 'Введение; основы', 'Первая модель', '2,5', 'практика', 'выставка', ''],
  ['4', 'Конструирование', 'Рычаги, шестерни', '3', 'практика', '', '15.09.2026'],
];

const EXPECTED = [
  {
    row: 2,
    order: 1,
    section: 'Введение; основы',
    title: 'Вводное занятие, техника безопасности',
    hours: 2,
    form: 'беседа',
    control: 'опрос',
    plannedDate: '2026-09-01',
  },
  {
    row: 3,
    order: 2,
    section: 'Введение; основы',
    title: 'Материалы "и" инструменты',
    hours: 1.5,
    form: 'практика',
    control: 'наблюдение',
    plannedDate: '2026-09-03',
  },
  {
    row: 4,
    order: 3,
    section: 'Введение; основы',
    title: 'Первая модель',
    hours: 2.5,
    form: 'практика',
    control: 'выставка',
    plannedDate: null,
  },
  {
    row: 5,
    order: 4,
    section: 'Конструирование',
    title: 'Рычаги, шестерни',
    hours: 3,
    form: 'практика',
    control: '',
    plannedDate: '2026-09-15',
  },
];

function csv(rows: string[][], delimiter: string): string {
  const quote = (v: string) =>
    v.includes(delimiter) || v.includes('"') ? `"${v.replace(/"/g, '""')}"` : v;
  return `${rows.map((r) => r.map(quote).join(delimiter)).join('\r\n')}\r\n`;
}

/** Windows-1251 bytes by inverting the platform decoder, so the test writes what Excel would. */
function encode1251(text: string): Uint8Array {
  const decoder = new TextDecoder('windows-1251');
  const table = new Map<string, number>();
  for (let b = 0; b < 256; b++) table.set(decoder.decode(new Uint8Array([b])), b);
  return Uint8Array.from(
    [...text].map((ch) => {
      const b = table.get(ch);
      if (b === undefined) throw new Error(`not in 1251: ${ch}`);
      return b;
    }),
  );
}

function withBom(text: string): Uint8Array {
  return new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(text)]);
}

const HEADER = [...TOPIC_TEMPLATE_COLUMNS];

function xlsxByWriter(): Uint8Array {
  const rows = PLAN.map((r, i) => [
    Number(r[0]),
    i === 0 || i === 3 ? r[1]! : null,
    r[2]!,
    Number(r[3]!.replace(',', '.')),
    r[4]!,
    r[5]!,
    r[6] ? dateToExcelSerial(`${r[6].slice(6)}-${r[6].slice(3, 5)}-${r[6].slice(0, 2)}`) : null,
  ]);
  return writeXlsx([{ name: 'КТП', rows: [HEADER, ...rows], merges: ['B2:B4'], dateColumns: [6] }]);
}

/** Columns shuffled, header case and spacing changed, shared strings and a merged section. */
function xlsxByHand(): Uint8Array {
  const strings = [
    'ТЕМА',
    ' кол-во  часов ',
    'Раздел',
    '№ П/П',
    'Форма занятия',
    'форма контроля',
    'Плановая дата',
  ];
  const s = (v: string) => {
    const escaped = v.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
    if (!strings.includes(escaped)) strings.push(escaped);
    return strings.indexOf(escaped);
  };
  const cell = (ref: string, v: string | number | null) =>
    v === null || v === ''
      ? `<c r="${ref}" s="2"/>`
      : typeof v === 'number'
        ? `<c r="${ref}" s="1"><v>${v}</v></c>`
        : `<c r="${ref}" t="s"><v>${s(v)}</v></c>`;
  const header = `<row r="1">${strings
    .slice(0, 7)
    .map((_, i) => `<c r="${'ABCDEFG'[i]}1" t="s"><v>${i}</v></c>`)
    .join('')}</row>`;
  const body = PLAN.map((r, i) => {
    const n = i + 2;
    const date = r[6]
      ? dateToExcelSerial(`${r[6].slice(6)}-${r[6].slice(3, 5)}-${r[6].slice(0, 2)}`)
      : null;
    const section = i === 0 || i === 3 ? r[1]! : null;
    const hours = Number(r[3]!.replace(',', '.'));
    return `<row r="${n}">${[cell(`A${n}`, r[2]!), cell(`B${n}`, hours), cell(`C${n}`, section), cell(`D${n}`, Number(r[0])), cell(`E${n}`, r[4]!), cell(`F${n}`, r[5]!), cell(`G${n}`, date)].join('')}</row>`;
  });
  return handBuiltXlsx(header + body.join(''), strings, 'C2:C4');
}

describe('topics import', () => {
  it('[TI1][TI2][TI3][TI4] CSV UTF-8+BOM ;, CSV Windows-1251 ;, CSV UTF-8 , quoted, XLSX by writer and by hand agree', () => {
    const files: [string, Uint8Array][] = [
      ['utf8-bom.csv', withBom(csv([HEADER, ...PLAN], ';'))],
      ['cp1251.csv', encode1251(csv([HEADER, ...PLAN], ';'))],
      ['utf8-comma.csv', new TextEncoder().encode(csv([HEADER, ...PLAN], ','))],
      ['tab.txt', new TextEncoder().encode(csv([HEADER, ...PLAN], '\t'))],
      ['writer.xlsx', xlsxByWriter()],
      ['hand.xlsx', xlsxByHand()],
    ];

    for (const [name, bytes] of files) {
      const result = parseTopicsFile(bytes, name);
      expect({ name, ...result }).toEqual({ name, rows: EXPECTED, errors: [], totalHours: 9 });
    }
  });

  it('[TI3] a date exported with a time of day («01.09.2026 0:00») is read as that day', () => {
    const withTimes = PLAN.map((row, i) =>
      row.map((value, c) =>
        c === 6 && value ? `${value} ${i === 0 ? '0:00' : '00:00:00'}` : value,
      ),
    );
    const result = parseTopicsFile(
      new TextEncoder().encode(csv([HEADER, ...withTimes], ';')),
      'export.csv',
    );
    expect(result).toEqual({ rows: EXPECTED, errors: [], totalHours: 9 });
    // Text that only ends like a time is still not a date.
    const broken = PLAN.map((row, i) => (i === 0 ? row.with(6, '31.02.2026 0:00') : row));
    const errors = parseTopicsFile(
      new TextEncoder().encode(csv([HEADER, ...broken], ';')),
      'export.csv',
    ).errors;
    expect(errors).toEqual([expect.objectContaining({ row: 2, column: expect.any(String) })]);
  });

  it('[TI1][TI2] a title line above the header does not hide a comma or tab delimiter', () => {
    // A title line holds no delimiter (or only a quoted one), so it cannot tell the delimiter.
    const titles = ['Календарно-тематический план 2026/27', '"План «Робототехника», группа 1"'];
    const shifted = EXPECTED.map((row) => ({ ...row, row: row.row + 2 }));
    for (const title of titles) {
      for (const delimiter of [',', '\t']) {
        const text = `${title}\r\n\r\n${csv([HEADER, ...PLAN], delimiter)}`;
        const files: [string, Uint8Array][] = [
          ['utf8.csv', new TextEncoder().encode(text)],
          ['cp1251.csv', encode1251(text)],
        ];
        for (const [name, bytes] of files) {
          const result = parseTopicsFile(bytes, name);
          expect({ name, title, delimiter, ...result }).toEqual({
            name,
            title,
            delimiter,
            rows: shifted,
            errors: [],
            totalHours: 9,
          });
        }
      }
    }
  });

  it('[TI2] the cp1251 fixture is not valid UTF-8, and the comma fixture really quotes commas', () => {
    const bytes = encode1251(csv([HEADER, ...PLAN], ';'));
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)).toThrow();
    expect(csv([HEADER, ...PLAN], ',')).toContain('"Вводное занятие, техника безопасности"');
  });

  it('[TI5] every bad row is reported with its row number and column; good rows still parse', () => {
    const text = csv(
      [
        ['Календарно-тематический план', '', ''],
        ['Тема', 'Кол-во часов', 'Плановая дата'],
        ['Вводное занятие', '2', '01.09.2026'],
        ['', '2', ''],
        ['Сборка', 'два', '32.01.2027'],
        ['', '', ''],
        ['Итоговое занятие', '1,0', '46538'],
        ['Итого', '5', ''],
      ],
      ';',
    );
    const result = parseTopicsFile(new TextEncoder().encode(text), 'plan.csv');

    expect(result.rows.map((r) => [r.row, r.order, r.title, r.hours, r.plannedDate])).toEqual([
      [3, 1, 'Вводное занятие', 2, '2026-09-01'],
      [7, 4, 'Итоговое занятие', 1, '2027-05-31'],
    ]);
    expect(result.errors).toEqual([
      { row: 4, column: 'Тема', message: 'не указана тема' },
      { row: 5, column: 'Кол-во часов', message: 'неверное количество часов «два»' },
      {
        row: 5,
        column: 'Плановая дата',
        message: 'даты «32.01.2027» не существует в календаре',
      },
    ]);
    expect(result.totalHours).toBe(3);
  });

  it('[TI5] a well-formed date that does not exist is called so; a malformed one asks for ДД.ММ.ГГГГ', () => {
    const text = csv(
      [
        ['Тема', 'Кол-во часов', 'Плановая дата'],
        ['Введение', '2', '31.09.2026'],
        ['Сборка', '2', '1 сентября'],
      ],
      ';',
    );
    const result = parseTopicsFile(new TextEncoder().encode(text), 'plan.csv');

    expect(result.errors).toEqual([
      {
        row: 2,
        column: 'Плановая дата',
        message: 'даты «31.09.2026» не существует в календаре',
      },
      {
        row: 3,
        column: 'Плановая дата',
        message: 'неверная дата «1 сентября», ожидается ДД.ММ.ГГГГ',
      },
    ]);
  });

  it('[TI7] a planned date outside the subgroup’s study period is a row error', () => {
    const text = csv(
      [
        ['Тема', 'Кол-во часов', 'Плановая дата'],
        ['Введение', '2', '01.09.1900'],
        ['Сборка', '2', '01.09.2026'],
        ['Итоговое занятие', '2', '01.06.2027'],
      ],
      ';',
    );
    const bytes = new TextEncoder().encode(text);
    const period = { from: '2026-09-01', to: '2027-05-31' };
    const result = parseTopicsFile(bytes, 'plan.csv', { period });

    expect(result.rows.map((r) => [r.row, r.plannedDate])).toEqual([[3, '2026-09-01']]);
    expect(result.errors).toEqual([
      {
        row: 2,
        column: 'Плановая дата',
        message: 'дата 01.09.1900 вне учебного периода подгруппы (01.09.2026–31.05.2027)',
      },
      {
        row: 4,
        column: 'Плановая дата',
        message: 'дата 01.06.2027 вне учебного периода подгруппы (01.09.2026–31.05.2027)',
      },
    ]);

    // Where the period is not known, only implausible dates are refused; an Excel serial of 1
    // (1900-01-01) included.
    const unknown = parseTopicsFile(bytes, 'plan.csv');
    expect(unknown.rows.map((r) => r.row)).toEqual([3, 4]);
    expect(unknown.errors).toEqual([
      {
        row: 2,
        column: 'Плановая дата',
        message: 'дата 01.09.1900 вне допустимого диапазона (01.01.2000–31.12.2099)',
      },
    ]);
    const serial = writeXlsx([
      {
        name: 'КТП',
        rows: [
          ['Тема', 'Кол-во часов', 'Плановая дата'],
          ['Введение', 2, 1],
        ],
      },
    ]);
    expect(parseTopicsFile(serial, 'plan.xlsx').errors[0]?.message).toBe(
      'дата 01.01.1900 вне допустимого диапазона (01.01.2000–31.12.2099)',
    );
  });

  it('[TI1][TI5] a file without the topic or hours column says so, naming the column', () => {
    const noHours = parseTopicsFile(new TextEncoder().encode('№;Тема\n1;Введение\n'), 'a.csv');
    expect(noHours.errors).toEqual([
      { row: 1, column: 'Кол-во часов', message: 'нет колонки «Кол-во часов»' },
    ]);
    const noHeader = parseTopicsFile(new TextEncoder().encode('a;b\n1;2\n'), 'a.csv');
    expect(noHeader.errors[0]).toMatchObject({ row: 1, column: 'Тема' });
  });

  it('[TI2] unreadable files are IMPORT_FILE_INVALID: empty, old .xls, broken .xlsx', () => {
    expectDomainError(
      () => parseTopicsFile(new Uint8Array(), 'a.csv'),
      'IMPORT_FILE_INVALID',
      'file',
    );
    expectDomainError(
      () => parseTopicsFile(new Uint8Array([0xd0, 0xcf, 0x11, 0xe0]), 'plan.xls'),
      'IMPORT_FILE_INVALID',
      'file',
    );
    expectDomainError(
      () => parseTopicsFile(new TextEncoder().encode('not a zip'), 'plan.xlsx'),
      'IMPORT_FILE_INVALID',
      'file',
    );
  });

  it('[TI11] a numbered topic that starts with «Всего» is a topic; unnumbered total lines are skipped wherever their word is', () => {
    const text = csv(
      [
        ['№', 'Раздел', 'Тема', 'Кол-во часов'],
        ['1', 'Введение', 'Всего понемногу: повторение', '2'],
        ['2', 'Введение', 'Итоговое занятие', '2'],
        ['', 'Итого по разделу', '', '4'],
        ['', '', 'Всего часов:', '4'],
        ['', '', 'Итого за год', '4'],
        ['', '', 'ИТОГО: 72 часа', '4'],
        ['ИТОГО', '', '', '4'],
      ],
      ';',
    );
    const result = parseTopicsFile(new TextEncoder().encode(text), 'plan.csv');
    expect(result.rows.map((r) => r.title)).toEqual([
      'Всего понемногу: повторение',
      'Итоговое занятие',
    ]);
    expect(result.errors).toEqual([]);
  });

  it('[TI12] a workbook is read from the first shown sheet with the header: a hidden sheet or a title page before it is passed over', () => {
    const plan = [HEADER, ...PLAN];
    const note = [['Пояснительная записка'], ['Программа рассчитана на 72 часа']];
    const withHidden = unzipSync(
      writeXlsx([
        { name: 'Служебный', rows: plan.slice(0, 1).concat([['1', '', 'Чужая тема', '1']]) },
        { name: 'Записка', rows: note },
        { name: 'КТП', rows: plan },
      ]),
    );
    const workbook = strFromU8(withHidden['xl/workbook.xml']!);
    withHidden['xl/workbook.xml'] = strToU8(
      workbook.replace('name="Служебный"', 'name="Служебный" state="hidden"'),
    );
    const result = parseTopicsFile(zipSync(withHidden), 'plan.xlsx');
    expect(result.rows.map((r) => r.title)).toEqual(EXPECTED.map((r) => r.title));

    const none = parseTopicsFile(
      writeXlsx([
        { name: 'Записка', rows: note },
        { name: 'Лист2', rows: [['пусто']] },
      ]),
      'plan.xlsx',
    );
    expect(none.errors.map((e) => e.message)).toEqual([
      'не найдена строка заголовков с колонками «Тема» и «Кол-во часов» ни на одном листе книги («Записка», «Лист2»)',
    ]);
  });

  it('[TI13] a file with only the header, or with more topics than a plan holds, says so and offers nothing to save', () => {
    const only = parseTopicsFile(new TextEncoder().encode(csv([HEADER], ';')), 'plan.csv');
    expect(only).toEqual({
      rows: [],
      errors: [{ row: 1, column: 'Тема', message: 'под строкой заголовков нет ни одной темы' }],
      totalHours: 0,
    });

    const rows = Array.from({ length: MAX_IMPORT_TOPICS + 20 }, (_, i) => [`Тема ${i}`, '1']);
    const huge = parseTopicsFile(
      new TextEncoder().encode(csv([['Тема', 'Кол-во часов'], ...rows], ';')),
      'plan.csv',
    );
    expect(huge.rows).toEqual([]);
    expect(huge.errors).toEqual([
      {
        row: 1,
        column: 'Тема',
        message: `в файле больше ${MAX_IMPORT_TOPICS} тем (${MAX_IMPORT_TOPICS + 20}): столько в учебный план подгруппы не входит — проверьте, тот ли это файл или лист`,
      },
    ]);
  });

  it('[TI14] hours split into «Теория | Практика | Всего» under «Количество часов» are read from «Всего»', () => {
    const text = csv(
      [
        ['№', 'Тема', 'Количество часов', '', '', 'Дата'],
        ['', '', 'Теория', 'Практика', 'Всего', ''],
        ['1', 'Техника безопасности', '1', '0', '1', '02.09.2026'],
        ['2', 'Первая модель', '0,5', '1,5', '2', ''],
      ],
      ';',
    );
    const result = parseTopicsFile(new TextEncoder().encode(text), 'plan.csv');
    expect(result.errors).toEqual([]);
    expect(result.rows.map((r) => [r.row, r.title, r.hours])).toEqual([
      [3, 'Техника безопасности', 1],
      [4, 'Первая модель', 2],
    ]);

    // The same in XLSX, the hours' header merged over its three columns (TI4 fills them).
    const merged = writeXlsx([
      {
        name: 'КТП',
        rows: [
          ['№', 'Тема', 'Количество часов', null, null],
          [null, null, 'Теория', 'Практика', 'Всего'],
          [1, 'Техника безопасности', 1, 0, 1],
        ],
        merges: ['C1:E1', 'A1:A2', 'B1:B2'],
      },
    ]);
    expect(parseTopicsFile(merged, 'plan.xlsx').rows.map((r) => r.hours)).toEqual([1]);
  });

  it('[TI15] a row that only names a section gives it to the topics below; a topic’s own section wins', () => {
    const file = writeXlsx([
      {
        name: 'КТП',
        rows: [
          ['№', 'Раздел', 'Тема', 'Кол-во часов'],
          ['Раздел 1. Введение (4 ч)', null, null, null],
          [1, null, 'Техника безопасности', 2],
          [2, null, 'Знакомство с набором', 2],
          ['Раздел 2. Механика', null, null, null],
          [3, 'Передачи', 'Зубчатые колёса', 2],
          [4, null, 'Рычаги', 2],
        ],
        merges: ['A2:D2', 'A5:D5'],
      },
    ]);
    const result = parseTopicsFile(file, 'plan.xlsx');
    expect(result.errors).toEqual([]);
    expect(result.rows.map((r) => [r.order, r.section, r.title])).toEqual([
      [1, 'Раздел 1. Введение (4 ч)', 'Техника безопасности'],
      [2, 'Раздел 1. Введение (4 ч)', 'Знакомство с набором'],
      [3, 'Передачи', 'Зубчатые колёса'],
      [4, 'Раздел 2. Механика', 'Рычаги'],
    ]);

    // Unmerged (a CSV export): the heading alone in the first column.
    const text = csv(
      [
        ['№', 'Тема', 'Кол-во часов'],
        ['Раздел 1. Введение', '', ''],
        ['1', 'Техника', '2'],
      ],
      ';',
    );
    expect(
      parseTopicsFile(new TextEncoder().encode(text), 'plan.csv').rows.map((r) => r.section),
    ).toEqual(['Раздел 1. Введение']);
  });

  it('[TI17] rows out of «№» order are saved by their numbers; numbers repeated per section keep the file order', () => {
    const parse = (rows: string[][]) =>
      parseTopicsFile(new TextEncoder().encode(csv(rows, ';')), 'plan.csv').rows.map((r) => [
        r.order,
        r.title,
      ]);
    // Sorted by hours in Excel before saving.
    expect(
      parse([
        ['№', 'Тема', 'Кол-во часов'],
        ['3', 'Первая модель', '1'],
        ['1', 'Вводное занятие', '2'],
        ['2', 'Материалы', '3'],
      ]),
    ).toEqual([
      [1, 'Вводное занятие'],
      [2, 'Материалы'],
      [3, 'Первая модель'],
    ]);
    // Numbered afresh in each section: the numbers do not say the plan's order.
    expect(
      parse([
        ['№', 'Раздел', 'Тема', 'Кол-во часов'],
        ['1', 'Введение', 'Вводное занятие', '2'],
        ['2', 'Введение', 'Материалы', '2'],
        ['1', 'Механика', 'Рычаги', '2'],
      ]),
    ).toEqual([
      [1, 'Вводное занятие'],
      [2, 'Материалы'],
      [1, 'Рычаги'],
    ]);
  });

  it('[TI16] an Excel for Mac book counting dates from 1904 gives the dates the teacher typed', () => {
    const serial1900 = dateToExcelSerial('2026-09-01');
    const parts = unzipSync(
      writeXlsx([
        {
          name: 'КТП',
          rows: [
            ['Тема', 'Кол-во часов', 'Плановая дата'],
            ['Техника безопасности', 2, serial1900 - 1462],
          ],
          dateColumns: [2],
        },
      ]),
    );
    const workbook = strFromU8(parts['xl/workbook.xml']!).replace(/<workbookPr\b[^>]*\/>/, '');
    parts['xl/workbook.xml'] = strToU8(
      workbook.replace(/(<workbook\b[^>]*>)/, '$1<workbookPr date1904="1"/>'),
    );
    const result = parseTopicsFile(zipSync(parts), 'plan.xlsx');
    expect(result.errors).toEqual([]);
    expect(result.rows.map((r) => r.plannedDate)).toEqual(['2026-09-01']);
  });

  it('[TI6] total hours against the subgroup plan', () => {
    expect(checkTopicHours(144, 144)).toMatchObject({ ok: true, difference: 0 });
    expect(checkTopicHours(140.5, 144)).toMatchObject({ ok: false, difference: -3.5 });
    expect(checkTopicHours(150, 144).message).toContain('на 6 ч больше');
  });

  it('[TI6] fractional hours are written with a decimal comma, as a Russian reader expects', () => {
    expect(checkTopicHours(140.5, 144).message).toBe(
      'Всего 140,5 ч — на 3,5 ч меньше, чем 144 ч в год по плану.',
    );
    expect(checkTopicHours(72.5, 72.5).message).toBe('Всего 72,5 ч — совпадает с учебным планом.');
  });

  it('[TI1] both templates parse back to their two sample topics', () => {
    const fromCsv = parseTopicsFile(topicsTemplateCsv(), 'template.csv');
    const fromXlsx = parseTopicsFile(topicsTemplateXlsx(), 'template.xlsx');
    expect(fromCsv.errors).toEqual([]);
    expect(fromCsv.rows).toHaveLength(2);
    expect(fromCsv.rows[0]).toMatchObject({
      order: 1,
      section: 'Введение',
      plannedDate: '2026-09-01',
    });
    expect(fromXlsx).toEqual(fromCsv);
    expect([...topicsTemplateCsv().subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  });
});
