/**
 * The Healthie API version this subgraph speaks, and what Healthie says about it.
 *
 * The version belongs to the schema: the generated artifacts record the version they were built
 * for, and every Healthie request carries it as `Healthie-GraphQL-API-Version`, since Healthie
 * answers each version with its own schema. Healthie announces a version's end in
 * `extensions.warnings` (API_VERSION_SUNSET_WARNING, MISSING_API_VERSION_HEADER) and refuses a
 * version it no longer serves with UNSUPPORTED_API_VERSION. This module turns those signals into
 * throttled warn lines, state for /readyz, and one stable error code, so the next move is
 * noticed months before requests start failing.
 */
import type { GraphQLError } from 'graphql';
import { ConfigError } from '../config.js';
import { ErrorCode, subgraphError } from '../errors.js';
import type { Logger } from '../logger.js';

export const API_VERSION_HEADER = 'Healthie-GraphQL-API-Version';

/** A warning is logged at most once per code in this window: it repeats on every answer. */
export const WARNING_LOG_INTERVAL_MS = 60 * 60 * 1000;

/** One entry of Healthie's `extensions.warnings`; only the fields that carry no request data. */
export interface VersionWarning {
  readonly code: string;
  readonly requested_version?: string;
  readonly sunset_date?: string;
  readonly latest_version?: string;
}

/** Healthie's refusal of a version, from an UNSUPPORTED_API_VERSION error's extensions. */
export interface UnsupportedVersion {
  readonly requested_version?: string;
  readonly minimum_supported_version?: string;
  readonly latest_version?: string;
}

export interface VersionReadiness {
  readonly healthieApiVersion: string;
  /** Set once Healthie has warned that the version is being sunset. */
  readonly sunsetDate?: string;
  readonly latestVersion?: string;
  /** Set while Healthie refuses the version; /readyz then answers 503 with it. */
  readonly unsupported?: string;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length <= 64 ? value : undefined);

/** The version warnings of a Healthie answer (`extensions.warnings`), malformed entries dropped. */
export function versionWarnings(body: unknown): VersionWarning[] {
  const warnings = (body as { extensions?: { warnings?: unknown } } | null)?.extensions?.warnings;
  if (!Array.isArray(warnings)) return [];
  return warnings.flatMap((warning: Record<string, unknown> | null) => {
    const code = text(warning?.code);
    if (!code) return [];
    const { requested_version, sunset_date, latest_version } = warning as Record<string, unknown>;
    return [{ code, requested_version: text(requested_version), sunset_date: text(sunset_date), latest_version: text(latest_version) }];
  });
}

/** Healthie's UNSUPPORTED_API_VERSION refusal in an answer, if any. */
export function unsupportedVersion(body: unknown): UnsupportedVersion | undefined {
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors)) return undefined;
  const refusal = errors.find((error: { extensions?: { code?: unknown } } | null) => error?.extensions?.code === 'UNSUPPORTED_API_VERSION');
  if (!refusal) return undefined;
  const extensions = (refusal as { extensions: Record<string, unknown> }).extensions;
  return {
    requested_version: text(extensions.requested_version),
    minimum_supported_version: text(extensions.minimum_supported_version),
    latest_version: text(extensions.latest_version),
  };
}

/**
 * A successful answer: HTTP 2xx with data, and no error of the whole request (every error, if
 * any, belongs to a field). Only such an answer shows Healthie serving the version.
 */
export function isSuccessfulAnswer(status: number, body: unknown): boolean {
  if (status < 200 || status >= 300 || !body || typeof body !== 'object') return false;
  const { data, errors } = body as { data?: unknown; errors?: unknown };
  if (!data || typeof data !== 'object') return false;
  if (errors === undefined) return true;
  return Array.isArray(errors) && errors.every((error: { path?: unknown } | null) => Array.isArray(error?.path));
}

/**
 * The version to send: the one the committed artifacts were built for. HEALTHIE_API_VERSION may
 * only confirm it; a different value is a deployment mistake (the schema would not match what
 * Healthie serves at that version), so start-up fails.
 */
export function resolveApiVersion(built: string | undefined, configured: string | undefined): string {
  if (!built) {
    throw new ConfigError(['schema/healthie-approved.graphql records no Healthie API version; run `npm run schema:build` and commit both files']);
  }
  if (configured && configured !== built) {
    throw new ConfigError([
      `HEALTHIE_API_VERSION is "${configured}" but the schema was built for Healthie API version "${built}"; ` +
        `unset HEALTHIE_API_VERSION, or rebuild the schema for ${configured} with \`npm run schema:build -- --api-version ${configured} --from <Healthie URL>\` and commit it`,
    ]);
  }
  return built;
}

export interface VersionMonitorOptions {
  readonly apiVersion: string;
  readonly logger: Logger;
  /** Injected clock for the log throttle. */
  readonly now?: () => number;
}

export class VersionMonitor {
  readonly apiVersion: string;
  /** Headers every Healthie request carries. */
  readonly headers: Readonly<Record<string, string>>;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly loggedAt = new Map<string, number>();
  private sunsetDate: string | undefined;
  private latestVersion: string | undefined;
  private unsupported: string | undefined;
  private answered = false;

  constructor(options: VersionMonitorOptions) {
    this.apiVersion = options.apiVersion;
    this.headers = { [API_VERSION_HEADER]: options.apiVersion };
    this.logger = options.logger;
    this.now = options.now ?? Date.now;
  }

  /**
   * Reads the version signals of one parsed Healthie answer (HTTP `status`). Returns the
   * operation's error when Healthie refuses the version. Only a successful answer proves the
   * version is served again: a refused key, a 5xx or a whole-request error says nothing about it.
   */
  inspect(body: unknown, status = 200): GraphQLError | undefined {
    for (const warning of versionWarnings(body)) this.warn(warning);
    const refusal = unsupportedVersion(body);
    if (!refusal) {
      if (isSuccessfulAnswer(status, body)) {
        this.unsupported = undefined;
        this.answered = true;
      }
      return undefined;
    }
    this.answered = true;
    const latest = refusal.latest_version ?? this.latestVersion;
    const supported = [
      refusal.minimum_supported_version ? `oldest supported: ${refusal.minimum_supported_version}` : undefined,
      latest ? `latest: ${latest}` : undefined,
    ].filter(Boolean);
    const message =
      `Healthie does not serve API version ${this.apiVersion} (UNSUPPORTED_API_VERSION${supported.length ? `; ${supported.join(', ')}` : ''}). ` +
      `Rebuild the subgraph on a supported version: npm run schema:build -- --api-version ${latest ?? '<version>'} --from <Healthie URL>, then npm run schema:check and commit.`;
    this.unsupported = message;
    if (this.shouldLog('UNSUPPORTED_API_VERSION')) {
      this.logger.warn({ code: 'UNSUPPORTED_API_VERSION', apiVersion: this.apiVersion, ...refusal }, 'healthie refuses the api version');
    }
    return subgraphError(ErrorCode.UPSTREAM_VERSION_UNSUPPORTED, message, {
      apiVersion: this.apiVersion,
      ...(refusal.minimum_supported_version ? { minimumSupportedVersion: refusal.minimum_supported_version } : {}),
      ...(latest ? { latestVersion: latest } : {}),
    });
  }

  /** The same, for an answer not parsed yet (error statuses, the readiness probe). */
  inspectText(body: string, status: number): GraphQLError | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return undefined;
    }
    return this.inspect(parsed, status);
  }

  /** Whether an answer of Healthie's has shown that it serves the version or refuses it (a refused key, a 5xx show neither). */
  get hasAnswered(): boolean {
    return this.answered;
  }

  readiness(): VersionReadiness {
    return {
      healthieApiVersion: this.apiVersion,
      ...(this.sunsetDate ? { sunsetDate: this.sunsetDate } : {}),
      ...(this.latestVersion ? { latestVersion: this.latestVersion } : {}),
      ...(this.unsupported ? { unsupported: this.unsupported } : {}),
    };
  }

  private warn(warning: VersionWarning): void {
    if (warning.code === 'API_VERSION_SUNSET_WARNING') {
      this.sunsetDate = warning.sunset_date ?? this.sunsetDate;
      this.latestVersion = warning.latest_version ?? this.latestVersion;
    }
    if (!this.shouldLog(warning.code)) return;
    // Only the warning's own fields: never the query, variables or anything of the answer's data.
    this.logger.warn({ ...warning, apiVersion: this.apiVersion }, 'healthie api version warning');
  }

  private shouldLog(code: string): boolean {
    const now = this.now();
    const last = this.loggedAt.get(code);
    if (last !== undefined && now - last < WARNING_LOG_INTERVAL_MS) return false;
    this.loggedAt.set(code, now);
    return true;
  }
}
