/**
 * How the Worker hands a verified upgrade to the tenant's ledger. The Worker builds a new
 * request to the object (`stub.fetch`) that carries only `Upgrade` and the principal header
 * below, never the client's headers: a Durable Object is reachable only through the Worker's
 * binding, so whatever the object reads here was written by the Worker after it verified the
 * credential, and a client cannot forge it.
 */
import { z } from 'zod';
import { PERMISSIONS, type Permission } from '../../auth/permissions';

const HEADER = 'X-Finance-Edge-Stream-Principal';
/** The object's URL; `after`, `batch` and the limits travel in its query. */
const OBJECT_URL = 'https://tenant-ledger.internal/stream';

/** The verified principal of a stream socket. */
export interface StreamGrant {
  tenantId: string;
  subject: string;
  permissions: Permission[];
  /** When the credential expires (ms since the epoch); the socket is closed 4401 then. */
  expiresAt: number;
}

/** The stream limits of the Worker's configuration (src/ledger/stream/config.ts), applied by the object. */
export interface StreamLimits {
  perUser: number;
  perTenant: number;
  maxUnacked: number;
}

const GrantSchema = z.strictObject({
  tenantId: z.string().min(1).max(64),
  subject: z.string().min(1).max(200),
  permissions: z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length),
  expiresAt: z.number().int().min(0),
});

/** The request the Worker sends to the object for an upgrade after `after`. */
export function handoffRequest(
  grant: StreamGrant,
  after: number,
  limits: StreamLimits,
  batch: boolean,
): Request {
  const url = new URL(OBJECT_URL);
  url.searchParams.set('after', String(after));
  url.searchParams.set('batch', String(batch));
  for (const [k, v] of Object.entries(limits)) url.searchParams.set(k, String(v));
  return new Request(url, { headers: { Upgrade: 'websocket', [HEADER]: JSON.stringify(grant) } });
}

/** The grant and position of a handed-off upgrade, or null when the request is not one. */
export function readHandoff(
  request: Request,
): { grant: StreamGrant; after: number; limits: StreamLimits; batch: boolean } | null {
  if (request.headers.get('Upgrade')?.toLowerCase() !== 'websocket') return null;
  let raw: unknown;
  try {
    raw = JSON.parse(request.headers.get(HEADER) ?? 'null');
  } catch {
    return null;
  }
  const grant = GrantSchema.safeParse(raw);
  const query = new URL(request.url).searchParams;
  const int = (name: string, min: number) => {
    const n = Number(query.get(name) ?? 'x');
    return Number.isSafeInteger(n) && n >= min ? n : null;
  };
  const [after, perUser, perTenant, maxUnacked] = [
    int('after', 0),
    int('perUser', 1),
    int('perTenant', 1),
    int('maxUnacked', 2),
  ];
  // Absent from an older Worker's handoff during a gradual deployment: one frame per event.
  const batch = query.get('batch') ?? 'false';
  if (
    !grant.success ||
    (batch !== 'true' && batch !== 'false') ||
    after === null ||
    perUser === null ||
    perTenant === null ||
    maxUnacked === null
  )
    return null;
  return {
    grant: grant.data,
    after,
    limits: { perUser, perTenant, maxUnacked },
    batch: batch === 'true',
  };
}

/** A refusal the object answers instead of upgrading; the route turns it into problem+json. */
export interface HandoffRefusal {
  status: 400 | 429;
  code: string;
  detail: string;
}

export function refusalResponse(r: HandoffRefusal): Response {
  return Response.json(r, { status: r.status });
}
