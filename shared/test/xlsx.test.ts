import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readXlsx, writeXlsx } from '../src/xlsx.ts';
import { handBuiltXlsx } from './fixtures/xlsx-by-hand.ts';
import { expectDomainError } from './helpers.ts';

describe('xlsx reader', () => {
  it('[TI4] a hand-built workbook: shared strings, rich text, numbers, empty cells, merged range filled', () => {
    const strings = [
      'Раздел',
      'Тема',
      'Часы',
      'Введение',
      'Т&amp;Б',
      '<r><t>Перв</t></r><r><rPr><b/></rPr><t>ая</t></r>',
    ];
    // The 6th shared string is rich text (two runs); write it raw.
    const bytes = handBuiltXlsx(
      [
        '<row r="1" spans="1:3"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>',
        '<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="s"><v>4</v></c><c r="C2"><v>1.5</v></c></row>',
        '<row r="3"><c r="A3" s="1"/><c r="B3" t="inlineStr"><is><t>Вторая</t></is></c><c r="C3"><v>2</v></c></row>',
        '<row r="4"><c r="B4" t="s"><v>5</v></c><c r="C4" t="b"><v>1</v></c></row>',
      ].join(''),
      strings.slice(0, 5),
    );
    // Patch the rich-text string in: the helper escapes nothing, so rebuild with the raw <si>.
    const parts = unzipSync(bytes);
    parts['xl/sharedStrings.xml'] = strToU8(
      strFromU8(parts['xl/sharedStrings.xml']!).replace(
        '</sst>',
        `<si>${strings[5]}<rPh sb="0" eb="1"><t>ふりがな</t></rPh></si></sst>`,
      ),
    );
    const { sheets } = readXlsx(zipSync(parts));

    expect(sheets[0]!.name).toBe('План');
    expect(sheets[0]!.rows).toEqual([
      ['Раздел', 'Тема', 'Часы'],
      ['Введение', 'Т&Б', 1.5],
      ['Введение', 'Вторая', 2],
      ['Введение', 'Первая', 1],
    ]);
  });

  it('[TI4] garbage, a non-xlsx zip and empty input are IMPORT_FILE_INVALID naming the file', () => {
    expectDomainError(() => readXlsx(strToU8('№;Тема')), 'IMPORT_FILE_INVALID', 'file');
    expectDomainError(
      () => readXlsx(zipSync({ 'a.txt': strToU8('hi') })),
      'IMPORT_FILE_INVALID',
      'file',
    );
    expectDomainError(
      () => readXlsx(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0])),
      'IMPORT_FILE_INVALID',
      'file',
    );
    expectDomainError(() => readXlsx(undefined as never), 'IMPORT_FILE_INVALID', 'file');
  });
});

describe('xlsx writer', () => {
  it('[TI4] round trip of several sheets with merges, widths and numbers', () => {
    const bytes = writeXlsx([
      {
        name: 'Журнал',
        rows: [['ФИО', 'Сен'], ['Иванов', 1.5], [], ['Итого', null, 3]],
        colWidths: [30, 8],
        merges: ['A3:B3'],
      },
      { name: 'Темы', rows: [['a & <b> "c"', 'строка\nвторая']] },
    ]);
    const { sheets } = readXlsx(bytes);

    expect(sheets.map((s) => s.name)).toEqual(['Журнал', 'Темы']);
    expect(sheets[0]!.rows).toEqual([
      ['ФИО', 'Сен'],
      ['Иванов', 1.5],
      [null, null],
      ['Итого', null, 3],
    ]);
    expect(sheets[1]!.rows).toEqual([['a & <b> "c"', 'строка\nвторая']]);
    const xml = strFromU8(unzipSync(bytes)['xl/worksheets/sheet1.xml']!);
    expect(xml).toContain('<col min="1" max="1" width="30" customWidth="1"/>');
    expect(xml).toContain('<mergeCell ref="A3:B3"/>');
  });

  it('[TI4] strings beginning with = + - @ stay text cells, never formulas', () => {
    const risky = ['=HYPERLINK("http://x","y")', '+1+2', '-3', '@SUM(A1)'];
    const bytes = writeXlsx([{ name: 'Лист1', rows: [risky] }]);
    const xml = strFromU8(unzipSync(bytes)['xl/worksheets/sheet1.xml']!);

    expect(xml).not.toMatch(/<f[ >]/);
    expect(xml.match(/t="inlineStr"/g)).toHaveLength(4);
    expect(readXlsx(bytes).sheets[0]!.rows[0]).toEqual(risky);
  });

  it('[RP10] a sheet set to print landscape fits its width on one A4 page and reads back the same', () => {
    const rows = [
      ['ФИО', '01.12', '03.12'],
      ['Иванов', 'Н', ''],
    ];
    const bytes = writeXlsx([{ name: 'Табель', rows, printLandscapeFitWidth: true }]);
    const xml = strFromU8(unzipSync(bytes)['xl/worksheets/sheet1.xml']!);

    expect(xml).toMatch(
      /^<\?xml[^>]*\?><worksheet[^>]*><sheetPr><pageSetUpPr fitToPage="1"\/><\/sheetPr>/,
    );
    expect(xml).toMatch(
      /<\/sheetData><pageMargins [^>]*\/><pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"\/><\/worksheet>$/,
    );
    expect(readXlsx(bytes).sheets[0]!.rows).toEqual([
      ['ФИО', '01.12', '03.12'],
      ['Иванов', 'Н'],
    ]);
    const plain = strFromU8(
      unzipSync(writeXlsx([{ name: 'Лист1', rows }]))['xl/worksheets/sheet1.xml']!,
    );
    expect(plain).not.toContain('pageSetup');
  });

  it('[TI4] the same input gives the same bytes', () => {
    const sheet = { name: 'Лист1', rows: [['a', 1]] };
    expect(writeXlsx([sheet])).toEqual(writeXlsx([sheet]));
  });

  it('[TI4] bad sheets name the field', () => {
    expectDomainError(() => writeXlsx([]), 'VALIDATION_FAILED', 'sheets');
    expectDomainError(
      () => writeXlsx([{ name: 'a/b', rows: [] }]),
      'VALIDATION_FAILED',
      'sheets[0].name',
    );
    expectDomainError(
      () =>
        writeXlsx([
          { name: 'A', rows: [] },
          { name: 'a', rows: [] },
        ]),
      'VALIDATION_FAILED',
      'sheets[1].name',
    );
    expectDomainError(
      () => writeXlsx([{ name: 'A', rows: [[1, Number.POSITIVE_INFINITY]] }]),
      'VALIDATION_FAILED',
      'sheets[0].rows[0][1]',
    );
    expectDomainError(
      () => writeXlsx([{ name: 'A', rows: [[{} as never]] }]),
      'VALIDATION_FAILED',
      'sheets[0].rows[0][0]',
    );
    expectDomainError(
      () => writeXlsx([{ name: 'A', rows: [], merges: ['A1-B2'] }]),
      'VALIDATION_FAILED',
      'sheets[0].merges[0]',
    );
    expectDomainError(
      () => writeXlsx([{ name: 'A', rows: [], colWidths: [0] }]),
      'VALIDATION_FAILED',
      'sheets[0].colWidths[0]',
    );
  });
});
