/**
 * How many calls each provider may have in flight from this isolate, between the
 * `concurrency.min` and `concurrency.max` settings: a provider starts at `min`, earns one more
 * slot per answer up to `max`, and drops back by half (never under `min`) on each failure.
 *
 * A request that finds a provider's slots taken tries the next provider at once instead of
 * queueing behind it, so a provider that starts hanging holds at most its current slots'
 * worth of requests until its circuit opens. Only when every provider is full does a request
 * wait, for the first slot freed, within its deadline; nothing is refused for load alone.
 */
interface ProviderSlots {
    limit: number;
    inFlight: number;
}

export type SlotOutcome = "success" | "failure" | "neutral";

export class ConcurrencyLimits {
    private readonly providers = new Map<string, ProviderSlots>();
    private waiters: Array<() => void> = [];

    /** No provider's limit falls below this, however often it fails. */
    private readonly floor: number;

    constructor(
        min: number,
        private readonly max: number,
    ) {
        this.floor = Math.min(min, max);
    }

    private slots(provider: string): ProviderSlots {
        let slots = this.providers.get(provider);
        if (!slots) this.providers.set(provider, (slots = { limit: this.floor, inFlight: 0 }));
        return slots;
    }

    tryAcquire(provider: string): boolean {
        const slots = this.slots(provider);
        if (slots.inFlight >= slots.limit) return false;
        slots.inFlight++;
        return true;
    }

    release(provider: string, outcome: SlotOutcome): void {
        const slots = this.slots(provider);
        slots.inFlight = Math.max(0, slots.inFlight - 1);
        if (outcome === "success") slots.limit = Math.min(this.max, slots.limit + 1);
        if (outcome === "failure") slots.limit = Math.max(this.floor, Math.floor(slots.limit / 2));
        const waiters = this.waiters;
        this.waiters = [];
        for (const wake of waiters) wake();
    }

    /** Resolves when any provider frees a slot (true) or after `ms` (false). */
    waitForSlot(ms: number): Promise<boolean> {
        return new Promise((resolve) => {
            const timer = setTimeout(() => {
                this.waiters = this.waiters.filter((w) => w !== wake);
                resolve(false);
            }, ms);
            const wake = () => {
                clearTimeout(timer);
                resolve(true);
            };
            this.waiters.push(wake);
        });
    }

    snapshot(provider: string): { limit: number; inFlight: number } {
        return { ...this.slots(provider) };
    }
}
