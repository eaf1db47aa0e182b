import type { Focus } from './primitives.ts';

/**
 * Russian names of the programme focuses. Kept apart from the zod schemas (primitives.ts
 * re-exports it) so that the journal's start-up code can show them without loading zod.
 */
export const FOCUS_LABELS: Record<Focus, string> = {
  technical: 'техническая',
  'natural-science': 'естественнонаучная',
  sports: 'физкультурно-спортивная',
  arts: 'художественная',
  tourism: 'туристско-краеведческая',
  social: 'социально-гуманитарная',
};
