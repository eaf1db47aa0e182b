import type { Stamp } from '../../sync-server/src/shared.ts';

/** Messages between the soak and its device workers, and the ledger they keep. */

export interface SlotRef {
  subgroupId: string;
  date: string;
}

export type DeviceAction =
  | { kind: 'mark'; slot: SlotRef; learnerId: string; code: string }
  | { kind: 'lesson'; slot: SlotRef; patch: Record<string, string> }
  | { kind: 'topicAdd'; subgroupId: string; title: string; hours: number; order: number }
  | { kind: 'topicEdit'; subgroupId: string; pick: number; title: string }
  | { kind: 'topicDelete'; subgroupId: string; pick: number };

/** One field a device wrote: the unit the final check accounts for. */
export interface LedgerEntry {
  device: string;
  collection: 'lessons' | 'topics' | 'marks';
  docId: string;
  field: string;
  value: unknown;
  stamp: Stamp;
  /** The stamp of that field on the device just before the edit (what the author had seen). */
  prev: Stamp | null;
  /** Every field's stamp on the device just before the edit (a delete sees the whole doc). */
  seen: Record<string, Stamp>;
}

export interface NoticeView {
  kind: 'refused' | 'lost';
  docId: string;
  code: string;
  message: string;
  attempted: Record<string, unknown>;
  lostFields: { field: string; mine: unknown; theirs: unknown }[];
}

export interface DeviceDump {
  docs: Record<'lessons' | 'topics' | 'marks' | 'roster' | 'catalog', Record<string, unknown>[]>;
  notices: NoticeView[];
  /** Edits the device still counts as unsent: `collection/id@stamp`. */
  pending: string[];
  needsSignIn: boolean;
  /** Replication errors the client logged as unclassified `sync error`, by code. */
  syncErrors: Record<string, number>;
}

export type DeviceRequest =
  | { op: 'edit'; action: DeviceAction }
  | { op: 'offline'; value: boolean }
  | { op: 'expire'; refreshToo: boolean }
  | { op: 'signInIfNeeded' }
  | { op: 'sync'; timeoutMs: number }
  | { op: 'dump' }
  | { op: 'captures' }
  | { op: 'explain'; collection: 'lessons' | 'topics' | 'marks'; ids: string[] }
  | { op: 'replay'; indexes: number[]; baseUrl: string }
  | { op: 'close' };

export interface DeviceInit {
  name: string;
  login: string;
  password: string;
  proxyUrl: string;
  skewMs: number;
  jwtSecret: string;
}
