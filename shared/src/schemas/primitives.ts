import { isLocalDate } from '../formats.ts';
import { z } from '../zod.ts';

/**
 * Primitive value schemas shared by every document. Dates are local civil dates and times are
 * local wall-clock times of the organisation's time zone: they are strings on purpose, so that
 * nothing ever turns them into a UTC instant by accident.
 */

export const localDateSchema = z
  .string()
  .refine(isLocalDate, { message: 'ожидается дата ГГГГ-ММ-ДД' });

export const localTimeSchema = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'ожидается время ЧЧ:ММ (00:00–23:59)' });

/** A month of a year, `YYYY-MM`. */
export const monthSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, { message: 'ожидается месяц ГГГГ-ММ' });

/** An entity id: lower-case letters, digits and dashes, safe inside CouchDB database names. */
export const entityIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,47}$/, { message: 'ожидается идентификатор из a-z, 0-9 и -' });

/** A document id; derived ids join entity ids, dates and times with colons. */
export const docIdSchema = z
  .string()
  .min(1)
  .max(160)
  .regex(/^[a-z0-9][a-z0-9:._-]*$/, {
    message: 'ожидается идентификатор документа из a-z, 0-9, :, ., _ и -',
  });

export const timeZoneSchema = z.string().refine(
  (tz) => {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  },
  { message: 'ожидается часовой пояс IANA, например Asia/Yekaterinburg' },
);

/** Free text typed by a person: bounded, so one field cannot fill a device or a batch. */
/** The longest name or short text the server takes (AS10: the forms' inputs stop there too). */
export const SHORT_TEXT_MAX = 300;
export const shortText = z.string().max(SHORT_TEXT_MAX);
export const longText = z.string().max(4000);

/** Which edit a stamp replaced: the (at, dev) of the stamp the device saw on the field. */
export const stampRefSchema = z.object({
  at: z.number().int().min(0).max(8.64e15),
  dev: z.string().min(1).max(64),
});
export type StampRef = z.infer<typeof stampRefSchema>;

/**
 * The edit metadata of one field: when (the device's hybrid clock, ms since the epoch), on which
 * device, by whom, and whether the device was offline. The conflict rules order edits by
 * (at, dev, by), which makes every comparison total and deterministic. `prev` names the stamp
 * the editing device saw on the field (null: none), so another device can tell whether its own
 * edit was seen before it was overwritten (CR5); stamps written before `prev` existed lack it.
 * A deletion's stamp also has `seen`: for each field, the stamp its device saw there, because
 * one `prev` cannot tell which edits a deletion knew once device clocks disagree (CR2 + CR5).
 */
export const stampSchema = z.object({
  at: z.number().int().min(0).max(8.64e15),
  dev: z.string().min(1).max(64),
  by: z.string().min(1).max(64),
  off: z.boolean(),
  prev: stampRefSchema.nullable().optional(),
  // No .refine here: a method call on a schema is not pure to the bundler and would keep all of
  // zod in the device's start-up bundle. The push rules bound its size (PR6).
  seen: z.record(z.string().max(40), stampRefSchema.nullable()).optional(),
});
export type Stamp = z.infer<typeof stampSchema>;

export const stampsSchema = z.record(z.string().max(40), stampSchema);
export type Stamps = z.infer<typeof stampsSchema>;

export const focusSchema = z.enum([
  'technical',
  'natural-science',
  'sports',
  'arts',
  'tourism',
  'social',
]);
export type Focus = z.infer<typeof focusSchema>;

export {
  applicationStatusLabel,
  FOCUS_LABELS,
  LESSON_STATUS_LABELS,
  TABEL_FLAG_LABELS,
} from './labels.ts';
