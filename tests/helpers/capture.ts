/** Runs single components under Pulumi's mocks and returns what they registered. */
import type * as pulumi from "@pulumi/pulumi";
import { captureProgram, type PlannedResource } from "../../tools/plan/capture";
import type { LiveCloudflare } from "../../tools/plan/mocks";

let queue: Promise<unknown> = Promise.resolve();
/** The Pulumi runtime is global, so runs in one process take turns. */
function serially<T>(work: () => Promise<T>): Promise<T> {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
}

/** Runs `build` (which constructs a component) under mocks as `stack`, with `live` as what Cloudflare reports deployed. */
export function captureComponent(
    stack: string,
    build: () => Record<string, pulumi.Input<unknown>> | void,
    live?: LiveCloudflare,
): Promise<PlannedResource[]> {
    return serially(async () => (await captureProgram("ops-platform", stack, () => build() ?? {}, live)).resources);
}
