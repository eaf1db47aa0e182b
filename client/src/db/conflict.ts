import type { JournalDoc } from '@otmetka/shared';
import { isSameContent, mergeDocs } from '@otmetka/shared';
import type { RxConflictHandler, RxConflictHandlerInput, WithDeleted } from 'rxdb';

/**
 * The conflict handler of the journal collections. RxDB calls it on the device when the push
 * answer lists a document whose server state differs from what the device assumed. It applies
 * the same pure rules as the server (shared/src/conflict.ts), so both compute the same result
 * and a further push changes nothing (CR4: revisions stop growing).
 *
 * A row the server refused in this very push (PR5) is the exception: the server's state wins
 * outright, because the teacher's attempt is kept in the notices list, not in the journal.
 */
export function journalConflictHandler<D extends JournalDoc>(
  refusedNow: ReadonlySet<string>,
): RxConflictHandler<D> {
  return {
    isEqual(a: WithDeleted<D>, b: WithDeleted<D>): boolean {
      return isSameContent(a, b);
    },

    async resolve(input: RxConflictHandlerInput<D>): Promise<WithDeleted<D>> {
      const real = input.realMasterState;
      if (refusedNow.has(real.id)) return real;
      const { merged } = mergeDocs(real as D, input.newDocumentState as D);
      return { ...merged, _deleted: Boolean(merged._deleted) } as WithDeleted<D>;
    },
  };
}
