/**
 * No dependency call may hang a request or /health: each is raced against a timer. KV, R2 and the
 * rate limiter answer in milliseconds when they answer; DEPENDENCY_TIMEOUT_MS keeps /health inside
 * the load balancer's monitor timeout (edge.loadBalancer.monitorTimeoutSeconds, 5 s).
 */
export const DEPENDENCY_TIMEOUT_MS = 2_000;

/** `work`, or a rejection naming `what` once `ms` have passed. */
export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
    let cancel = () => undefined as void;
    const timeout = new Promise<never>((_, reject) => {
        const timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
        cancel = () => clearTimeout(timer);
    });
    return Promise.race([work, timeout]).finally(() => cancel());
}
