/**
 * Healthie's API versions as the sandbox answers them (facts in ../shared/healthie/README.md):
 * every request names a published version in `Healthie-GraphQL-API-Version`; the sandbox serves
 * the version its schema was built for and refuses anything else, and requests without the
 * header, with UNSUPPORTED_API_VERSION, as Healthie will from the sunset date on. Answers on a
 * version older than the latest carry Healthie's API_VERSION_SUNSET_WARNING, and once the
 * sandbox's clock reaches the sunset date those versions are refused too.
 */
import { GraphQLError } from 'graphql';

export const API_VERSION_HEADER = 'healthie-graphql-api-version';

/** Healthie's published versions, oldest first. */
export const PUBLISHED_VERSIONS = [
  '2024-07-01', '2024-10-01', '2024-10-20', '2024-11-01', '2025-01-01', '2025-04-01', '2025-05-15',
  '2025-07-31', '2025-10-15', '2025-11-30', '2026-01-01', '2026-07-01',
] as const;
export const LATEST_VERSION = '2026-07-01';
/** The day every version before LATEST_VERSION stops being served. */
export const SUNSET_DATE = '2027-01-31';

export interface VersionWarning {
  readonly code: 'API_VERSION_SUNSET_WARNING';
  readonly requested_version: string;
  readonly sunset_date: string;
  readonly latest_version: string;
  readonly message: string;
}

/** Whether the sunset date has come at `now`: older versions are then refused. */
export function sunsetPassed(now: Date): boolean {
  return now.getTime() >= Date.parse(`${SUNSET_DATE}T00:00:00Z`);
}

/** The versions answered at `now` among those the sandbox has schemas for. */
export function servedVersions(available: readonly string[], now: Date): string[] {
  return available.filter((version) => !sunsetPassed(now) || version >= LATEST_VERSION).sort();
}

/** Healthie's refusal of a missing or unserved version. */
export function unsupportedVersion(requested: string | undefined, served: readonly string[], now: Date): GraphQLError {
  const reason = requested === undefined
    ? 'The Healthie-GraphQL-API-Version header is required'
    : !(PUBLISHED_VERSIONS as readonly string[]).includes(requested)
      ? `${requested} is not a published API version`
      : sunsetPassed(now) && requested < LATEST_VERSION
        ? `API version ${requested} was sunset on ${SUNSET_DATE}`
        : `API version ${requested} is not supported`;
  return new GraphQLError(`${reason}; send one of: ${served.join(', ') || LATEST_VERSION}`, {
    extensions: {
      code: 'UNSUPPORTED_API_VERSION',
      requested_version: requested ?? null,
      minimum_supported_version: sunsetPassed(now) ? LATEST_VERSION : (served[0] ?? LATEST_VERSION),
      latest_version: LATEST_VERSION,
    },
  });
}

/** The warnings an answer on `version` carries. */
export function versionWarnings(version: string): VersionWarning[] {
  if (version >= LATEST_VERSION) return [];
  return [
    {
      code: 'API_VERSION_SUNSET_WARNING',
      requested_version: version,
      sunset_date: SUNSET_DATE,
      latest_version: LATEST_VERSION,
      message: `API version ${version} will be sunset on ${SUNSET_DATE}; upgrade to ${LATEST_VERSION}`,
    },
  ];
}
