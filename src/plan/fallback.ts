/**
 * Why an operation keeps the delegation path. Every planner module throws it for what it does
 * not cover; the planner returns it, and the plugin caches it like a plan, so the decision is
 * taken once per document. The reason is for tests and debugging, never for clients.
 */
export class Fallback {
  constructor(readonly reason: string) {}
}
