/**
 * The sandbox's tenants: three Healthie accounts, each with its own API key, organization and
 * people. Name pools differ per account (trees, rivers, mountains) and ids live in disjoint
 * ranges, so any cross-tenant leak is visible in a test at a glance.
 */

export const DEMO_API_KEY = 'healthie-sandbox-demo-key';
export const SECOND_API_KEY = 'healthie-sandbox-second-key';
export const SHARDED_API_KEY = 'healthie-sandbox-sharded-key';
export const SHARDED_SHARD_ID = 'sandbox-shard-2';

export type AccountName = 'demo' | 'second' | 'sharded';

export interface PersonName {
  readonly first: string;
  readonly last: string;
}

export interface AccountDefinition {
  readonly name: AccountName;
  readonly apiKey: string;
  /** Shard the account's data lives in; its key is only found there. */
  readonly shard?: string;
  /** First id of the account's range; every id of the account is in [idBase, idBase + 999]. */
  readonly idBase: number;
  /** PRNG seed: the same seed gives the same people and calendar on every run. */
  readonly seed: number;
  readonly organization: string;
  /** Area code of the account's fictional 555-01xx phone numbers. */
  readonly areaCode: string;
  /** The API key's user: the organization's owner and an admin provider. */
  readonly owner: PersonName;
  readonly providers: readonly PersonName[];
  /** Patients' last names; never shared with another account. */
  readonly patientLastNames: readonly string[];
}

/** Shared first names; last names alone tell the accounts apart. */
export const FIRST_NAMES = [
  'Ava', 'Ben', 'Chloe', 'Diego', 'Emma', 'Felix', 'Grace', 'Hugo', 'Isla', 'Jack', 'Kira', 'Liam',
  'Maya', 'Noah', 'Olive', 'Paul', 'Ruby', 'Sean', 'Tara', 'Umar', 'Vera', 'Wade', 'Yara', 'Zane',
] as const;

/** Timezones of the owner and the providers, in order: working hours are local to each. */
export const PROVIDER_TIMEZONES = ['America/New_York', 'America/New_York', 'America/Chicago', 'America/Los_Angeles'] as const;

export const PATIENT_TIMEZONES = ['America/New_York', 'America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles'] as const;

export const ACCOUNTS: readonly AccountDefinition[] = [
  {
    name: 'demo',
    apiKey: DEMO_API_KEY,
    idBase: 1000,
    seed: 0x5eed_1000,
    organization: 'Demo Sandbox Wellness',
    areaCode: '212',
    owner: { first: 'Morgan', last: 'Hale' },
    providers: [
      { first: 'Priya', last: 'Raman' },
      { first: 'Jonah', last: 'Whitfield' },
      { first: 'Elena', last: 'Sorensen' },
    ],
    patientLastNames: ['Alder', 'Birch', 'Cedar', 'Hawthorn', 'Juniper', 'Linden', 'Maple', 'Rowan', 'Spruce', 'Willow', 'Aspen', 'Laurel'],
  },
  {
    name: 'second',
    apiKey: SECOND_API_KEY,
    idBase: 2000,
    seed: 0x5eed_2000,
    organization: 'Second Sandbox Nutrition',
    areaCode: '312',
    owner: { first: 'Quinn', last: 'Adair' },
    providers: [
      { first: 'Theo', last: 'Lindqvist' },
      { first: 'Mara', last: 'Okafor' },
      { first: 'Sam', last: 'Delgado' },
    ],
    patientLastNames: ['Avon', 'Severn', 'Tamar', 'Trent', 'Ouse', 'Wye', 'Tyne', 'Exe', 'Mersey', 'Dart', 'Tees', 'Wear'],
  },
  {
    name: 'sharded',
    apiKey: SHARDED_API_KEY,
    shard: SHARDED_SHARD_ID,
    idBase: 3000,
    seed: 0x5eed_3000,
    organization: 'Sharded Sandbox Health Partners',
    areaCode: '415',
    owner: { first: 'Riley', last: 'Brandt' },
    providers: [
      { first: 'Ines', last: 'Carvalho' },
      { first: 'Kofi', last: 'Mensah' },
      { first: 'Hana', last: 'Takeda' },
    ],
    patientLastNames: ['Rainier', 'Shasta', 'Whitney', 'Elbert', 'Hood', 'Baker', 'Adams', 'Logan', 'Robson', 'Tahoma', 'Sierra', 'Olympus'],
  },
];
