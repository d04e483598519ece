/**
 * The chart of accounts every new tenant starts with. Codes follow the common numbering:
 * 1xxx assets, 2xxx liabilities, 3xxx equity, 4xxx revenue, 5xxx–6xxx expenses. Tenants
 * may add, rename, re-code and deactivate accounts afterwards (defaults excepted while mapped).
 */
import type { AccountType, DefaultAccountKey } from '../events';

/** One account of the default chart. */
export interface ChartEntry {
  code: string;
  name: string;
  type: AccountType;
  /** Code of the parent account, if any (parents are listed before children). */
  parentCode: string | null;
  description: string | null;
}

/** The default chart, in creation order. */
export const DEFAULT_CHART: readonly ChartEntry[] = [
  {
    code: '1000',
    name: 'Cash',
    type: 'asset',
    parentCode: null,
    description: 'Cash and bank balances',
  },
  {
    code: '1100',
    name: 'Accounts receivable',
    type: 'asset',
    parentCode: null,
    description: 'Amounts owed by customers',
  },
  { code: '1200', name: 'Inventory', type: 'asset', parentCode: null, description: null },
  { code: '1500', name: 'Equipment', type: 'asset', parentCode: null, description: null },
  {
    code: '2000',
    name: 'Accounts payable',
    type: 'liability',
    parentCode: null,
    description: 'Amounts owed to vendors',
  },
  {
    code: '2100',
    name: 'Sales tax payable',
    type: 'liability',
    parentCode: null,
    description: 'Tax collected on invoices',
  },
  {
    code: '2150',
    name: 'Unapplied customer payments',
    type: 'liability',
    parentCode: null,
    description: 'Customer credit: payments not yet applied to invoices',
  },
  { code: '3000', name: "Owner's equity", type: 'equity', parentCode: null, description: null },
  { code: '3100', name: 'Retained earnings', type: 'equity', parentCode: null, description: null },
  { code: '4000', name: 'Sales revenue', type: 'revenue', parentCode: null, description: null },
  { code: '4100', name: 'Service revenue', type: 'revenue', parentCode: null, description: null },
  {
    code: '5000',
    name: 'Cost of goods sold',
    type: 'expense',
    parentCode: null,
    description: null,
  },
  {
    code: '6000',
    name: 'Operating expenses',
    type: 'expense',
    parentCode: null,
    description: null,
  },
  { code: '6100', name: 'Rent', type: 'expense', parentCode: '6000', description: null },
  { code: '6200', name: 'Salaries', type: 'expense', parentCode: '6000', description: null },
];

/** Which chart account each system posting uses until settings say otherwise. */
export const DEFAULT_ACCOUNT_CODES: Readonly<Record<DefaultAccountKey, string>> = {
  receivable: '1100',
  revenue: '4000',
  taxPayable: '2100',
  cash: '1000',
  unappliedPayments: '2150',
};
