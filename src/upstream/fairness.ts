/**
 * Fair sharing of Healthie between tenants, in front of the one connection pool they all share.
 *
 * Why: tenants are whatever API keys clients send, so a per-key cap alone is bypassed by spreading
 * a flood over many keys, and the pool then serves first come, first served. So:
 * - at most `maxInFlight` Healthie requests per key, and at most `maxTotal` in all (kept below the
 *   pool size, so the pool never queues and a readiness probe always finds a connection);
 * - a request that cannot start waits in its key's own queue, at most `queueTimeoutMs`
 *   (UPSTREAM_BUSY, nothing sent);
 * - a freed slot goes to the waiting key served longest ago (round-robin over keys, each key's
 *   queue in turn): a key that was not being served goes first, so a quiet tenant waits for
 *   about one upstream latency however many keys flood.
 *
 * Keys are attacker-controlled header values, so the state is bounded: it is keyed by a keyed
 * hash of the credentials (never the key itself), an idle key's entry is deleted as soon as its
 * last request ends, a key's queue holds at most `maxQueued` waiters, and at most `maxKeys` keys
 * may be active at once (beyond that, new keys are busy until others finish).
 *
 * `RefusedKeys` remembers, briefly and in bounded space, the keys Healthie refused, so requests
 * with an invalid key fail at once instead of holding connections.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Credentials } from '../credentials.js';

/**
 * Per-process secret of `keyId` and `credentialsId`: in-process state needs no agreement between
 * replicas, and a keyed hash cannot be reversed by trying candidate keys against a dump of this
 * process's state.
 */
const TENANT_SECRET = randomBytes(32);

/**
 * An opaque, fixed-size identifier of an API key alone (keyed hash); the raw key is never stored.
 * The per-key share is counted by it: a key's account lives in one shard, so the shard header
 * names no other tenant, and varying it must not multiply the key's share.
 */
export function keyId(credentials: Credentials): string {
  return createHmac('sha256', TENANT_SECRET).update(credentials.apiKey).digest('base64url');
}

/**
 * An opaque identifier of a key and its shard together, as Healthie accepts or refuses them: a
 * wrong shard sent with a good key is refused without the key being refused alone.
 */
export function credentialsId(credentials: Credentials, key: string = keyId(credentials)): string {
  if (credentials.shard === undefined) return key;
  return createHmac('sha256', TENANT_SECRET).update(credentials.apiKey).update('\0').update(credentials.shard).digest('base64url');
}

export type BusyReason = 'queue_timeout' | 'queue_full' | 'too_many_keys';

export class TenantBusyError extends Error {
  constructor(readonly reason: BusyReason) {
    super(`tenant busy: ${reason}`);
    this.name = 'TenantBusyError';
  }
}

export interface FairnessOptions {
  readonly maxInFlight: number;
  /** Healthie requests in flight over all keys; unbounded when not given. */
  readonly maxTotal?: number;
  readonly queueTimeoutMs: number;
  readonly maxQueued?: number;
  readonly maxKeys?: number;
}

interface Waiter {
  grant(): void;
}

interface KeyState {
  inFlight: number;
  /** Grant number of this key's latest slot; 0 for a key not served yet. */
  servedAt: number;
  readonly queue: Waiter[];
}

export interface Slot {
  /** How long the request waited for its slot, in ms. */
  readonly waitedMs: number;
  release(): void;
}

export class TenantLimiter {
  private readonly keys = new Map<string, KeyState>();
  /** Keys with waiters, in the order they started waiting. */
  private readonly waiting = new Set<string>();
  private readonly maxQueued: number;
  private readonly maxKeys: number;
  private readonly maxTotal: number;
  private total = 0;
  private queued = 0;
  private grants = 0;

  constructor(private readonly options: FairnessOptions) {
    this.maxQueued = options.maxQueued ?? 1_000;
    this.maxKeys = options.maxKeys ?? 10_000;
    this.maxTotal = Math.max(1, options.maxTotal ?? Number.POSITIVE_INFINITY);
  }

  /** Keys with requests in flight or waiting (for tests and metrics). */
  get activeKeys(): number {
    return this.keys.size;
  }

  /** Healthie requests holding a slot now, over all keys. */
  get inFlight(): number {
    return this.total;
  }

  /** Requests waiting for a slot, over all keys. */
  get waitingCount(): number {
    return this.queued;
  }

  /** Waits for a slot of `tenant`; throws TenantBusyError when none frees up in time. */
  async acquire(tenant: string): Promise<Slot> {
    const started = Date.now();
    let state = this.keys.get(tenant);
    if (!state) {
      if (this.keys.size >= this.maxKeys) throw new TenantBusyError('too_many_keys');
      state = { inFlight: 0, servedAt: 0, queue: [] };
      this.keys.set(tenant, state);
    }
    const owned = state;
    const slot = (): Slot => {
      let released = false;
      return {
        waitedMs: Date.now() - started,
        release: () => {
          if (released) return;
          released = true;
          this.release(tenant, owned);
        },
      };
    };
    // Waiters are always served before newcomers: a free slot with waiters is handed out at once.
    if (owned.queue.length === 0 && this.canStart(owned)) {
      this.start(owned);
      return slot();
    }
    if (owned.queue.length >= this.maxQueued) throw new TenantBusyError('queue_full');
    return new Promise<Slot>((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          clearTimeout(timer);
          resolve(slot());
        },
      };
      const timer = setTimeout(() => {
        const index = owned.queue.indexOf(waiter);
        if (index >= 0) {
          owned.queue.splice(index, 1);
          this.queued -= 1;
        }
        if (owned.queue.length === 0) this.waiting.delete(tenant);
        this.forgetIfIdle(tenant, owned);
        reject(new TenantBusyError('queue_timeout'));
      }, this.options.queueTimeoutMs);
      owned.queue.push(waiter);
      this.queued += 1;
      this.waiting.add(tenant);
    });
  }

  private canStart(state: KeyState): boolean {
    return state.inFlight < this.options.maxInFlight && this.total < this.maxTotal;
  }

  private start(state: KeyState): void {
    state.inFlight += 1;
    this.total += 1;
    this.grants += 1;
    state.servedAt = this.grants;
  }

  private release(tenant: string, state: KeyState): void {
    state.inFlight -= 1;
    this.total -= 1;
    this.dispatch();
    this.forgetIfIdle(tenant, state);
  }

  /** Hands free slots to waiting keys, the key served longest ago first. */
  private dispatch(): void {
    while (this.total < this.maxTotal) {
      let chosen: string | undefined;
      let chosenState: KeyState | undefined;
      for (const tenant of this.waiting) {
        const state = this.keys.get(tenant)!;
        if (state.inFlight >= this.options.maxInFlight) continue;
        if (!chosenState || state.servedAt < chosenState.servedAt) {
          chosen = tenant;
          chosenState = state;
        }
      }
      if (!chosen || !chosenState) return;
      const waiter = chosenState.queue.shift()!;
      this.queued -= 1;
      if (chosenState.queue.length === 0) this.waiting.delete(chosen);
      this.start(chosenState);
      waiter.grant();
    }
  }

  private forgetIfIdle(tenant: string, state: KeyState): void {
    if (state.inFlight === 0 && state.queue.length === 0 && this.keys.get(tenant) === state) this.keys.delete(tenant);
  }
}

/**
 * Keys Healthie refused (HTTP 401/403 or its refused-key answer), by tenant id, for `ttlMs`:
 * their next requests fail at once with UNAUTHENTICATED and nothing is sent. Bounded (LRU of
 * `max` entries), since an attacker can send any number of invalid keys.
 */
export class RefusedKeys {
  private readonly refused: LRUCache<string, true>;

  constructor(
    readonly ttlMs = 30_000,
    max = 10_000,
  ) {
    this.refused = new LRUCache({ max, ttl: ttlMs });
  }

  remember(tenant: string): void {
    this.refused.set(tenant, true);
  }

  has(tenant: string): boolean {
    return this.refused.get(tenant) === true;
  }
}
