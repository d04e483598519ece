/**
 * Roles and permissions: the ONE table that says who may do what. Routes name a permission
 * (never a role), so changing what a role may do is an edit here and nowhere else.
 *
 * Why these roles (segregation of duties, as small firms and their auditors expect):
 * - `viewer`      reads the books (every resource and the settings) and changes nothing.
 * - `clerk`       does the day-to-day data entry that moves no balance by itself: customers,
 *                 vendors, draft invoices, and recording money received. Allocating credit to
 *                 invoices is a judgement call on receivables, so it is the accountant's.
 * - `accountant`  everything that posts to the general ledger: issue and void invoices, post
 *                 and reverse journal entries, allocate payments, maintain the chart of accounts.
 * - `controller`  the accountant's rights plus the settings that govern the books (the lock
 *                 date closes a period, default accounts steer every posting) and the audit
 *                 trail, because the controller signs off the close and must see who did what.
 * - `auditor`     read-only with the audit trail: an external or internal auditor reviews the
 *                 log without being able to change what they review.
 * - `admin`       every permission, including any added later.
 *
 * `audit:read` covers both `/v1/audit` and the raw `/v1/events` feed: the feed carries the
 * same actors and request ids for the whole tenant, so gating them apart would be a hole.
 */

/** Every permission a route can require. */
export const PERMISSIONS = [
  'books:read',
  'parties:write',
  'invoices:write',
  'invoices:issue',
  'payments:record',
  'payments:allocate',
  'journal:post',
  'accounts:manage',
  'settings:manage',
  'audit:read',
] as const;

export type Permission = (typeof PERMISSIONS)[number];

/** What a route may declare instead of a permission: any verified token, whatever its roles. */
export const AUTHENTICATED = 'authenticated';

/** A route's declared requirement. */
export type Requirement = Permission | typeof AUTHENTICATED;

const CLERK: readonly Permission[] = [
  'books:read',
  'parties:write',
  'invoices:write',
  'payments:record',
];
const ACCOUNTANT: readonly Permission[] = [
  ...CLERK,
  'invoices:issue',
  'payments:allocate',
  'journal:post',
  'accounts:manage',
];

/** Role → permissions. Role names not listed here are ignored when they appear in a token. */
export const ROLE_PERMISSIONS = {
  viewer: ['books:read'],
  clerk: CLERK,
  accountant: ACCOUNTANT,
  controller: [...ACCOUNTANT, 'settings:manage', 'audit:read'],
  auditor: ['books:read', 'audit:read'],
  admin: PERMISSIONS,
} as const satisfies Record<string, readonly Permission[]>;

export type Role = keyof typeof ROLE_PERMISSIONS;

/** The known roles, in the table's order. */
export const ROLES = Object.keys(ROLE_PERMISSIONS) as Role[];

/** True when `name` is a role of the table (own key, so `constructor` or `__proto__` never are). */
export function isRole(name: string): name is Role {
  return Object.hasOwn(ROLE_PERMISSIONS, name);
}

/** The union of the permissions of `roles` (unknown role names contribute nothing). */
export function permissionsOf(roles: readonly string[]): ReadonlySet<Permission> {
  const out = new Set<Permission>();
  for (const role of roles) if (isRole(role)) for (const p of ROLE_PERMISSIONS[role]) out.add(p);
  return out;
}

/** Whether a principal holding `granted` meets `required`. */
export function allows(granted: ReadonlySet<Permission>, required: Requirement): boolean {
  return required === AUTHENTICATED || granted.has(required);
}
