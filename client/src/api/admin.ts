import {
  type ApplicationListQuery,
  type ApplicationStatusRequest,
  type AuditQuery,
  applicationListResponseSchema,
  applicationStatusResponseSchema,
  auditResponseSchema,
  type LockRequest,
  lockListResponseSchema,
  lockResponseSchema,
  okResponseSchema,
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
  type TeacherInput,
  teacherAccountSchema,
  teacherListResponseSchema,
  teacherRecordViewSchema,
} from '@otmetka/shared/api';
import { z } from 'zod';
import { type FetchApi, requestJson, withQuery } from './http.ts';

/**
 * Typed calls of /api/admin (the organisation admin's endpoints). Each function parses the
 * answer with its schema from @otmetka/shared/api; none caches anything, since the admin's
 * screens work online only (personal data must not be kept on the device either).
 */

const A = '/api/admin';
const enc = encodeURIComponent;

const teacherOne = z.object({ teacher: teacherRecordViewSchema });
const programmeOne = z.object({ programme: programmeViewSchema });
const subgroupOne = z.object({ subgroup: subgroupViewSchema });
const accountOne = z.object({ account: teacherAccountSchema });

export function adminApi(fetchApi: FetchApi) {
  return {
    listTeachers: () => requestJson(fetchApi, `${A}/teachers`, teacherListResponseSchema),
    getTeacher: async (id: string) =>
      (await requestJson(fetchApi, `${A}/teachers/${enc(id)}`, teacherOne)).teacher,
    createTeacher: async (input: TeacherInput) =>
      (await requestJson(fetchApi, `${A}/teachers`, teacherOne, { method: 'POST', body: input }))
        .teacher,
    updateTeacher: async (id: string, input: TeacherInput) =>
      (
        await requestJson(fetchApi, `${A}/teachers/${enc(id)}`, teacherOne, {
          method: 'PUT',
          body: input,
        })
      ).teacher,
    createAccount: async (id: string, input: TeacherAccountRequest) =>
      (
        await requestJson(fetchApi, `${A}/teachers/${enc(id)}/account`, accountOne, {
          method: 'POST',
          body: input,
        })
      ).account,

    listProgrammes: () => requestJson(fetchApi, `${A}/programmes`, programmeListResponseSchema),
    createProgramme: async (input: ProgrammeInput) =>
      (
        await requestJson(fetchApi, `${A}/programmes`, programmeOne, {
          method: 'POST',
          body: input,
        })
      ).programme,
    updateProgramme: async (id: string, input: ProgrammeInput) =>
      (
        await requestJson(fetchApi, `${A}/programmes/${enc(id)}`, programmeOne, {
          method: 'PUT',
          body: input,
        })
      ).programme,

    listSubgroups: (programmeId?: string) =>
      requestJson(
        fetchApi,
        withQuery(`${A}/subgroups`, { programmeId }),
        subgroupListResponseSchema,
      ),
    createSubgroup: async (input: SubgroupInput) =>
      (await requestJson(fetchApi, `${A}/subgroups`, subgroupOne, { method: 'POST', body: input }))
        .subgroup,
    updateSubgroup: async (id: string, input: SubgroupInput) =>
      (
        await requestJson(fetchApi, `${A}/subgroups/${enc(id)}`, subgroupOne, {
          method: 'PUT',
          body: input,
        })
      ).subgroup,

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
    setLock: async (request: LockRequest) =>
      (
        await requestJson(fetchApi, `${A}/locks`, lockResponseSchema, {
          method: 'POST',
          body: request,
        })
      ).lock,

    audit: (query: AuditQuery) =>
      requestJson(fetchApi, withQuery(`${A}/audit`, query), auditResponseSchema),
    refusals: (subgroupId?: string) =>
      requestJson(fetchApi, withQuery(`${A}/refusals`, { subgroupId }), refusalResponseSchema),
    dismissRefusal: (id: string) =>
      requestJson(fetchApi, `${A}/refusals/${enc(id)}`, okResponseSchema, { method: 'DELETE' }),
  };
}

export type AdminApi = ReturnType<typeof adminApi>;
