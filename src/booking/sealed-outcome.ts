/**
 * Booking outcomes at rest in Redis, sealed.
 *
 * Why: an outcome may hold Healthie's `messages`, whose text can quote patient data (a name, a
 * date of birth), and Redis is shared infrastructure with dumps, replicas and backups of its own.
 * A replay needs the outcome back for IDEMPOTENCY_TTL_S, so it is kept, but encrypted
 * (AES-256-GCM) under a key derived from TENANT_HASH_SECRET for that one record, with the
 * record's key as associated data: Redis alone reveals no outcome, and an outcome copied to
 * another record does not open there. The secret never reaches Redis.
 *
 * Records written before outcomes were sealed (plain JSON) are still read, so a deploy does not
 * break the replays of keys used just before it; they expire within IDEMPOTENCY_TTL_S.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { ErrorCode, subgraphError } from '../errors.js';
import type { BookingOutcome } from './store.js';

const VERSION = 'v1';
const ALGORITHM = 'aes-256-gcm';

export interface OutcomeSeal {
  /** The outcome of the record `recordKey`, encrypted: `v1.<iv>.<ciphertext>.<tag>` (base64url). */
  seal(recordKey: string, outcome: BookingOutcome): string;
  /** The outcome sealed for `recordKey` (or a plain JSON one written before sealing). */
  open(recordKey: string, sealed: string): BookingOutcome;
}

function unreadable(): never {
  throw subgraphError(
    ErrorCode.UPSTREAM_UNAVAILABLE,
    "The idempotency store holds an outcome for this Idempotency-Key that cannot be read (altered, or sealed with another TENANT_HASH_SECRET); the booking was not sent again. Check the patient's appointments before booking with a new key.",
  );
}

export function createOutcomeSeal(secret: string): OutcomeSeal {
  const keyFor = (recordKey: string) => Buffer.from(hkdfSync('sha256', secret, recordKey, 'healthie-subgraph booking outcome', 32));
  return {
    seal(recordKey, outcome) {
      const iv = randomBytes(12);
      const cipher = createCipheriv(ALGORITHM, keyFor(recordKey), iv);
      cipher.setAAD(Buffer.from(recordKey, 'utf8'));
      const body = Buffer.concat([cipher.update(JSON.stringify(outcome), 'utf8'), cipher.final()]);
      return [VERSION, iv.toString('base64url'), body.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },
    open(recordKey, sealed) {
      if (!sealed.startsWith(`${VERSION}.`)) {
        try {
          return JSON.parse(sealed) as BookingOutcome;
        } catch {
          return unreadable();
        }
      }
      const [, iv, body, tag] = sealed.split('.');
      try {
        const decipher = createDecipheriv(ALGORITHM, keyFor(recordKey), Buffer.from(iv!, 'base64url'));
        decipher.setAAD(Buffer.from(recordKey, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag!, 'base64url'));
        const text = Buffer.concat([decipher.update(Buffer.from(body!, 'base64url')), decipher.final()]).toString('utf8');
        return JSON.parse(text) as BookingOutcome;
      } catch {
        return unreadable();
      }
    },
  };
}
