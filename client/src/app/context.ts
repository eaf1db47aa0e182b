import type { SessionUser } from '@otmetka/shared';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { OtmetkaDb } from '../db/database.ts';
import type { SyncEngine } from '../sync/replication.ts';

/** What every teacher screen needs: the local database and the sync status (never replication). */
export interface TeacherContextValue {
  db: OtmetkaDb;
  sync: SyncEngine;
  user: SessionUser;
}

export const TeacherContext = createContext<TeacherContextValue | null>(null);

export function useTeacher(): TeacherContextValue {
  const value = useContext(TeacherContext);
  if (!value) throw new Error('TeacherContext is missing');
  return value;
}
