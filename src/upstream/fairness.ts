/**
 * Fair sharing of Healthie between tenants: at most `maxInFlight` Healthie requests per API key at
 * a time, the rest waiting in that key's own queue for at most `queueTimeoutMs`.
 *
 * Why: all tenants share one connection pool. Without a per-key cap, one tenant's flood fills the
 * pool and every other tenant waits behind it. With the cap below the pool size, a flooding key
 * holds at most its share and queues the rest here, where waiting is bounded and reported as
 * UPSTREAM_BUSY without anything reaching Healthie.
 *
 * Keys are attacker-controlled header values, so the state is bounded: it is keyed by a hash of
 * the credentials (never the key itself), an idle key's entry is deleted as soon as its last
 * request ends, a key's queue holds at most `maxQueued` waiters, and at most `maxKeys` keys may
 * be active at once (beyond that, new keys are busy until others finish).
 */
import { createHash } from 'node:crypto';
import type { Credentials } from '../credentials.js';

/** An opaque, fixed-size identifier of a tenant's credentials; the raw key is never stored. */
export function tenantId(credentials: Credentials): string {
  return createHash('sha256').update(credentials.apiKey).update('\0').update(credentials.shard ?? '').digest('base64url');
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
  readonly queueTimeoutMs: number;
  readonly maxQueued?: number;
  readonly maxKeys?: number;
}

interface Waiter {
  grant(): void;
}

interface KeyState {
  inFlight: number;
  readonly queue: Waiter[];
}

export interface Slot {
  /** How long the request waited for its slot, in ms. */
  readonly waitedMs: number;
  release(): void;
}

export class TenantLimiter {
  private readonly keys = new Map<string, KeyState>();
  private readonly maxQueued: number;
  private readonly maxKeys: number;

  constructor(private readonly options: FairnessOptions) {
    this.maxQueued = options.maxQueued ?? 1_000;
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  /** Keys with requests in flight or waiting (for tests and metrics). */
  get activeKeys(): number {
    return this.keys.size;
  }

  /** Waits for a slot of `tenant`; throws TenantBusyError when none frees up in time. */
  async acquire(tenant: string): Promise<Slot> {
    const started = Date.now();
    let state = this.keys.get(tenant);
    if (!state) {
      if (this.keys.size >= this.maxKeys) throw new TenantBusyError('too_many_keys');
      state = { inFlight: 0, queue: [] };
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
    if (owned.inFlight < this.options.maxInFlight) {
      owned.inFlight += 1;
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
        if (index >= 0) owned.queue.splice(index, 1);
        this.forgetIfIdle(tenant, owned);
        reject(new TenantBusyError('queue_timeout'));
      }, this.options.queueTimeoutMs);
      owned.queue.push(waiter);
    });
  }

  private release(tenant: string, state: KeyState): void {
    const next = state.queue.shift();
    // The slot passes straight to the next waiter: in-flight stays the same.
    if (next) return next.grant();
    state.inFlight -= 1;
    this.forgetIfIdle(tenant, state);
  }

  private forgetIfIdle(tenant: string, state: KeyState): void {
    if (state.inFlight === 0 && state.queue.length === 0 && this.keys.get(tenant) === state) this.keys.delete(tenant);
  }
}
