import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AccessUser } from '../auth/claims.ts';
import type { CatalogScope } from '../shared.ts';

/**
 * SC10: the catalog scope travels in the device's checkpoint, so the device could send back any
 * scope it likes. The server acts on a scope's content (RM1 reads the locks of the subgroups
 * that left it) only when it carries the seal the server put on it for this caller: a teacher
 * who wrote a colleague's subgroup into a scope would otherwise learn that subgroup's lock ids,
 * which say which months are closed. The seal is an HMAC under a key derived from the server's
 * secret, bound to the organisation and the account, so every process of a deployment makes and
 * accepts the same seals.
 */
export class ScopeSeal {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('otmetka catalog scope v1').digest();
  }

  seal(user: AccessUser, scope: CatalogScope | null): CatalogScope | null {
    if (!scope) return null;
    const { subgroups, programmes, teachers } = scope;
    return { subgroups, programmes, teachers, seal: this.mac(user, scope) };
  }

  /** The scope if the server sealed it for this caller, otherwise null. */
  verify(user: AccessUser, scope: CatalogScope | null | undefined): CatalogScope | null {
    if (!scope?.seal) return null;
    const expected = Buffer.from(this.mac(user, scope));
    const given = Buffer.from(scope.seal);
    return given.length === expected.length && timingSafeEqual(given, expected) ? scope : null;
  }

  private mac(user: AccessUser, scope: CatalogScope): string {
    // Ids never contain a newline or a comma (entityIdSchema), so the encoding is unambiguous.
    const text = [
      user.org,
      user.sub,
      scope.subgroups.join(','),
      scope.programmes.join(','),
      scope.teachers.join(','),
    ].join('\n');
    return createHmac('sha256', this.key).update(text).digest('base64url').slice(0, 32);
  }
}
