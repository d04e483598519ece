/**
 * Browser tickets (docs/stream.md): a browser cannot set `Authorization` on a WebSocket
 * upgrade, so it first asks `POST /v1/stream/tickets` with its bearer token and offers the
 * ticket as the subprotocol `ticket.<ticket>`. A ticket is `<tenantId>.<secret>`: the tenant
 * part only says which ledger to ask; the ledger keeps the SHA-256 of the secret with what the
 * ticket grants (subject, permissions, Origin, the token's expiry) and deletes it on first
 * use, so it works once, for 30 s, for that tenant, and from that Origin.
 */
import type { Permission } from '../../auth/permissions';
import type { StreamGrant } from './handoff';

/** How long a ticket can be redeemed. */
export const TICKET_TTL_MS = 30_000;

const SECRET_BYTES = 32;
const TICKET = /^([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{43})$/;

/** What a ticket grants, fixed when it is issued. */
export interface TicketGrant extends StreamGrant {
  origin: string;
}

export interface IssuedTicket {
  ticket: string;
  expiresAt: number;
}

const base64url = (bytes: Uint8Array): string =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');

async function sha256(text: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)),
  );
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The tenant a ticket names and its secret, or null when it is not shaped like a ticket. */
export function parseTicket(ticket: string): { tenantId: string; secret: string } | null {
  const m = TICKET.exec(ticket);
  return m?.[1] && m[2] ? { tenantId: m[1], secret: m[2] } : null;
}

type Row = {
  subject: string;
  permissions: string;
  origin: string;
  expires_at: number;
  token_expires_at: number;
};

/** The ledger's table of unredeemed tickets. */
export class StreamTickets {
  constructor(private readonly sql: SqlStorage) {}

  /** Creates the table; runs at startup with the store's migration. */
  migrate(): void {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS stream_tickets (
      hash TEXT PRIMARY KEY, subject TEXT NOT NULL, permissions TEXT NOT NULL, origin TEXT NOT NULL,
      expires_at INTEGER NOT NULL, token_expires_at INTEGER NOT NULL)`);
  }

  /** Issues a ticket (and forgets the expired ones). */
  async issue(grant: TicketGrant, now = Date.now()): Promise<IssuedTicket> {
    const secret = base64url(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));
    const expiresAt = Math.min(now + TICKET_TTL_MS, grant.expiresAt);
    const hash = await sha256(secret);
    this.sql.exec('DELETE FROM stream_tickets WHERE expires_at <= ?', now);
    this.sql.exec(
      'INSERT INTO stream_tickets (hash, subject, permissions, origin, expires_at, token_expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      hash,
      grant.subject,
      JSON.stringify(grant.permissions),
      grant.origin,
      expiresAt,
      grant.expiresAt,
    );
    return { ticket: `${grant.tenantId}.${secret}`, expiresAt };
  }

  /** Redeems a ticket once: the grant when it is known, unexpired and offered from its Origin; else null (and it is gone). */
  async redeem(
    tenantId: string,
    secret: string,
    origin: string,
    now = Date.now(),
  ): Promise<StreamGrant | null> {
    const hash = await sha256(secret);
    const row = this.sql
      .exec<Row>(
        'DELETE FROM stream_tickets WHERE hash = ? RETURNING subject, permissions, origin, expires_at, token_expires_at',
        hash,
      )
      .toArray()[0];
    if (!row || row.expires_at <= now || row.origin !== origin) return null;
    return {
      tenantId,
      subject: row.subject,
      permissions: JSON.parse(row.permissions) as Permission[],
      expiresAt: row.token_expires_at,
    };
  }
}
