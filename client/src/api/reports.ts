import { hoursResponseSchema, tabelResponseSchema } from '@otmetka/shared/api';
import { type FetchApi, requestJson, send, withQuery } from './http.ts';

/** Typed calls of /api/reports: the табель and the hours against the plan, as JSON and as XLSX. */

const R = '/api/reports';

export interface DownloadedFile {
  blob: Blob;
  fileName: string;
}

export function reportsApi(fetchApi: FetchApi) {
  return {
    tabel: (subgroupId: string, month: string) =>
      requestJson(fetchApi, withQuery(`${R}/tabel`, { subgroupId, month }), tabelResponseSchema),
    hours: (subgroupId: string) =>
      requestJson(fetchApi, withQuery(`${R}/hours`, { subgroupId }), hoursResponseSchema),
    tabelXlsx: (subgroupId: string, month: string) =>
      download(
        fetchApi,
        withQuery(`${R}/tabel.xlsx`, { subgroupId, month }),
        `tabel-${subgroupId}-${month}.xlsx`,
      ),
    hoursXlsx: (subgroupId: string) =>
      download(fetchApi, withQuery(`${R}/hours.xlsx`, { subgroupId }), `hours-${subgroupId}.xlsx`),
  };
}

export type ReportsApi = ReturnType<typeof reportsApi>;

async function download(
  fetchApi: FetchApi,
  path: string,
  fallbackName: string,
): Promise<DownloadedFile> {
  const response = await send(fetchApi, path);
  const blob = await response.blob();
  const fileName = fileNameOf(response.headers.get('content-disposition')) ?? fallbackName;
  return { blob, fileName };
}

/** The file name of a Content-Disposition header, preferring the RFC 5987 UTF-8 form. */
export function fileNameOf(header: string | null): string | null {
  if (!header) return null;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (star?.[1]) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(header);
  return plain?.[1] ?? null;
}
