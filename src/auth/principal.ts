/** Who is calling: taken only from a verified token (src/auth/verify-token.ts). */
import type { Permission, Role } from './permissions';

export interface Principal {
  subject: string;
  tenantId: string;
  /** The token's roles that the permission table knows (unknown names are dropped). */
  roles: Role[];
  /** Everything those roles grant. */
  permissions: ReadonlySet<Permission>;
  /** The credential's `exp` in ms since the epoch (a live stream is closed then). */
  expiresAt: number;
}
