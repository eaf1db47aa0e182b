import type { Store } from '../db/store.ts';
import type { User } from '../shared.ts';
import { dummyPasswordHash, verifyPassword } from './password.ts';

/**
 * A way to prove who the caller is. The password provider is the only one today; an OpenID
 * Connect provider (ESIA) would implement the same interface behind its own callback route and
 * hand the resolved user to the same session issuing (routes.ts `issueSession`).
 */
export interface LoginProvider<Input> {
  readonly id: string;
  /** The user the input proves, or null. Never says which part was wrong. */
  authenticate(input: Input): Promise<User | null>;
}

export class PasswordProvider implements LoginProvider<{ login: string; password: string }> {
  readonly id = 'password';

  constructor(private readonly store: Store) {}

  async authenticate(input: { login: string; password: string }): Promise<User | null> {
    const user = await this.store.getUserByLogin(input.login.trim().toLowerCase());
    // Hash even for an unknown login, so timing does not reveal which logins exist.
    const ok = await verifyPassword(
      input.password,
      user?.passwordHash ?? (await dummyPasswordHash()),
    );
    return user && ok ? user : null;
  }
}
