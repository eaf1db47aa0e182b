import {
  type AccountAccessRequest,
  type AccountPasswordRequest,
  type ApplicationListQuery,
  type ApplicationStatusRequest,
  type AuditQuery,
  applicationListResponseSchema,
  applicationStatusResponseSchema,
  auditResponseSchema,
  type LockRequest,
  lockListResponseSchema,
  lockResponseSchema,
  type ProgrammeInput,
  programmeListResponseSchema,
  programmeViewSchema,
  refusalResponseSchema,
  rosterResponseSchema,
  type ScheduleInput,
  type SubgroupInput,
  schedulePreviewResponseSchema,
  scheduleResponseSchema,
  scheduleSaveResponseSchema,
  subgroupListResponseSchema,
  subgroupViewSchema,
  type TeacherAccountRequest,
  type TeacherArchiveRequest,
  type TeacherInput,
  teacherAccountSchema,
  teacherListItemSchema,
  teacherListResponseSchema,
  teacherRecordViewSchema,
} from '@otmetka/shared/api';
import { type FetchApi, requestJson, withQuery } from './http.ts';

/**
 * Typed calls of /api/admin (the organisation admin's endpoints). Each function parses the
 * answer with its schema from @otmetka/shared/api; none caches anything, since the admin's
 * screens work online only (personal data must not be kept on the device either).
 */

const A = '/api/admin';
const enc = encodeURIComponent;

// Single entities come back bare (the view itself), lists wrapped in an object.
const teacherOne = teacherRecordViewSchema;
const programmeOne = programmeViewSchema;
const subgroupOne = subgroupViewSchema;
const accountOne = teacherAccountSchema;

export function adminApi(fetchApi: FetchApi) {
  return {
    listTeachers: () => requestJson(fetchApi, `${A}/teachers`, teacherListResponseSchema),
    getTeacher: (id: string) => requestJson(fetchApi, `${A}/teachers/${enc(id)}`, teacherOne),
    createTeacher: (input: TeacherInput) =>
      requestJson(fetchApi, `${A}/teachers`, teacherOne, { method: 'POST', body: input }),
    updateTeacher: (id: string, input: TeacherInput) =>
      requestJson(fetchApi, `${A}/teachers/${enc(id)}`, teacherOne, {
        method: 'PUT',
        body: input,
      }),
    createAccount: (id: string, input: TeacherAccountRequest) =>
      requestJson(fetchApi, `${A}/teachers/${enc(id)}/account`, accountOne, {
        method: 'POST',
        body: input,
      }),
    setAccountPassword: (id: string, input: AccountPasswordRequest) =>
      requestJson(fetchApi, `${A}/teachers/${enc(id)}/account/password`, accountOne, {
        method: 'POST',
        body: input,
      }),
    setAccountAccess: (id: string, input: AccountAccessRequest) =>
      requestJson(fetchApi, `${A}/teachers/${enc(id)}/account/access`, accountOne, {
        method: 'PUT',
        body: input,
      }),
    setTeacherArchived: (id: string, input: TeacherArchiveRequest) =>
      requestJson(fetchApi, `${A}/teachers/${enc(id)}/archive`, teacherListItemSchema, {
        method: 'PUT',
        body: input,
      }),

    listProgrammes: () => requestJson(fetchApi, `${A}/programmes`, programmeListResponseSchema),
    createProgramme: (input: ProgrammeInput) =>
      requestJson(fetchApi, `${A}/programmes`, programmeOne, {
        method: 'POST',
        body: input,
      }),
    updateProgramme: (id: string, input: ProgrammeInput) =>
      requestJson(fetchApi, `${A}/programmes/${enc(id)}`, programmeOne, {
        method: 'PUT',
        body: input,
      }),

    listSubgroups: (programmeId?: string) =>
      requestJson(
        fetchApi,
        withQuery(`${A}/subgroups`, { programmeId }),
        subgroupListResponseSchema,
      ),
    createSubgroup: (input: SubgroupInput) =>
      requestJson(fetchApi, `${A}/subgroups`, subgroupOne, { method: 'POST', body: input }),
    updateSubgroup: (id: string, input: SubgroupInput) =>
      requestJson(fetchApi, `${A}/subgroups/${enc(id)}`, subgroupOne, {
        method: 'PUT',
        body: input,
      }),

    getSchedule: (subgroupId: string) =>
      requestJson(fetchApi, `${A}/subgroups/${enc(subgroupId)}/schedule`, scheduleResponseSchema),
    previewSchedule: (subgroupId: string, input: ScheduleInput) =>
      requestJson(
        fetchApi,
        `${A}/subgroups/${enc(subgroupId)}/schedule/preview`,
        schedulePreviewResponseSchema,
        { method: 'POST', body: input },
      ),
    saveSchedule: (subgroupId: string, input: ScheduleInput) =>
      requestJson(
        fetchApi,
        `${A}/subgroups/${enc(subgroupId)}/schedule`,
        scheduleSaveResponseSchema,
        { method: 'PUT', body: input },
      ),

    listApplications: (query: ApplicationListQuery = {}) =>
      requestJson(fetchApi, withQuery(`${A}/applications`, query), applicationListResponseSchema),
    changeStatus: (id: string, request: ApplicationStatusRequest) =>
      requestJson(
        fetchApi,
        `${A}/applications/${enc(id)}/status`,
        applicationStatusResponseSchema,
        { method: 'POST', body: request },
      ),
    roster: (subgroupId: string) =>
      requestJson(fetchApi, `${A}/subgroups/${enc(subgroupId)}/roster`, rosterResponseSchema),

    listLocks: (subgroupId?: string) =>
      requestJson(fetchApi, withQuery(`${A}/locks`, { subgroupId }), lockListResponseSchema),
    setLock: (request: LockRequest) =>
      requestJson(fetchApi, `${A}/locks`, lockResponseSchema, {
        method: 'POST',
        body: request,
      }),

    audit: (query: AuditQuery) =>
      requestJson(fetchApi, withQuery(`${A}/audit`, query), auditResponseSchema),
    refusals: (subgroupId?: string) =>
      requestJson(fetchApi, withQuery(`${A}/refusals`, { subgroupId }), refusalResponseSchema),
  };
}

export type AdminApi = ReturnType<typeof adminApi>;
