/**
 * Runs a Pulumi program under the SDK's documented mock runtime and records every resource
 * registration as the engine would receive it: type, name, parent, serialized inputs and the
 * options that matter. Secrets are redacted here, before anything else can see them.
 */
import * as pulumi from "@pulumi/pulumi";
import { PlanMocks, type LiveCloudflare } from "./mocks";
import { providerUrn, redact } from "./wire";

interface ResourceOptions {
    protect?: boolean;
    retainOnDelete?: boolean;
    /** URN of the explicit provider. */
    provider?: string;
    dependsOn?: string[];
    /** Which input each dependency flows through: how a rule finds the group a security-group rule belongs to. */
    propertyDependencies?: Record<string, string[]>;
    deleteBeforeReplace?: boolean;
    ignoreChanges?: string[];
    /** Outputs the engine stores encrypted though the provider's schema does not mark them secret. */
    additionalSecretOutputs?: string[];
}

export interface PlannedResource {
    urn: string;
    type: string;
    name: string;
    /** URN of the parent; undefined for resources directly under the stack. */
    parent?: string;
    custom: boolean;
    /** The id the (mock) provider gave it; absent where none is known yet, as in a first preview. */
    id?: string;
    inputs: Record<string, unknown>;
    options: ResourceOptions;
}

export interface CaptureResult {
    resources: PlannedResource[];
    outputs: Record<string, unknown>;
}

type Callback = (error: Error | null, response?: { getUrn(): string; getId(): string }) => void;
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
    getProtect(): boolean;
    getRetainondelete(): boolean;
    getDeletebeforereplace(): boolean;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): { forEach(fn: (value: { getUrnsList(): string[] }, key: string) => void): void };
    getIgnorechangesList(): string[];
    getAdditionalsecretoutputsList(): string[];
    getProvider(): string;
}
interface Monitor {
    registerResource(req: RegisterRequest, callback: Callback): void;
}

/**
 * Runs `program` under mocks as stack `stack` and returns what it registered and exported;
 * `live` is what the mocked Cloudflare API reports as already deployed; `preview` runs it as a
 * first `pulumi preview` does, where every value a provider computes is unknown.
 * One run per process at a time: the Pulumi runtime is global.
 */
export async function captureProgram(
    project: string,
    stack: string,
    program: () => Promise<Record<string, unknown>> | Record<string, unknown>,
    live?: LiveCloudflare,
    preview = false,
): Promise<CaptureResult> {
    const stackTraceLimit = Error.stackTraceLimit;
    if (!process.env["OPS_PLATFORM_DEBUG"]) Error.stackTraceLimit = 0;
    try {
        return await capture(project, stack, program, live, preview);
    } finally {
        Error.stackTraceLimit = stackTraceLimit;
    }
}

/**
 * The SDK formats a stack trace for every promise it makes, for leak reports a plan never prints;
 * under jest's source-mapping that was half of a component test's time. So captureProgram runs
 * this without stack traces (an error thrown by the program keeps its message; OPS_PLATFORM_DEBUG=1
 * keeps its stack too).
 */
async function capture(
    project: string,
    stack: string,
    program: () => Promise<Record<string, unknown>> | Record<string, unknown>,
    live: LiveCloudflare | undefined,
    preview: boolean,
): Promise<CaptureResult> {
    const mocks = new PlanMocks(live, preview);
    await pulumi.runtime.setMocks(mocks, project, stack, preview);
    skipSourcePositions();
    skipPromiseLeakTracking();
    const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
    const resources: PlannedResource[] = [];
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, callback) =>
        register(req, (error, response) => {
            if (!error && response) {
                try {
                    const resource = toPlannedResource(req, response.getUrn(), response.getId());
                    if (resource.type === "pulumi:providers:aws")
                        mocks.rememberProvider(
                            `${resource.urn}::${response.getId()}`,
                            String(resource.inputs["region"]),
                            providerList(resource.inputs["allowedAccountIds"]),
                        );
                    resources.push(resource);
                } catch (captureError) {
                    return callback(captureError as Error);
                }
            }
            callback(error, response);
        });

    const exported = await program();
    const outputs = await resolveOutputs(exported);
    await pulumi.runtime.disconnect();
    resources.sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0));
    return { resources, outputs };
}

/**
 * The SDK wraps every promise it makes for a report of leaked promises at exit: a stack, three
 * properties and two more promises each, a seventh of an eight-Region plan's time with the
 * garbage they make. Under mocks nothing is left to leak unseen: the capture awaits every output
 * the program exports and `disconnect` every registration, so a promise that never settles
 * holds the plan rather than passing. OPS_PLATFORM_DEBUG=1 keeps the SDK's tracking.
 */
function skipPromiseLeakTracking(): void {
    if (process.env["OPS_PLATFORM_DEBUG"]) return;
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: <T>(p: Promise<T>) => Promise<T> };
    debuggable.debuggablePromise = (promise) => promise;
}

/** Provider inputs that are not strings reach the engine JSON-encoded. */
function providerList(value: unknown): string[] {
    if (typeof value === "string") return JSON.parse(value) as string[];
    return Array.isArray(value) ? (value as string[]) : [];
}

/**
 * Every resource captures an unlimited stack trace so the engine can point diagnostics at the
 * program's source line. Mocks have no engine to tell, and it was an eighth of a plan's time.
 */
function skipSourcePositions(): void {
    (pulumi.Resource as unknown as { stackTrace(skip: number): unknown[] }).stackTrace = () => [];
}

function toPlannedResource(req: RegisterRequest, urn: string, id: string): PlannedResource {
    const options: ResourceOptions = {};
    if (req.getProtect()) options.protect = true;
    if (req.getRetainondelete()) options.retainOnDelete = true;
    if (req.getDeletebeforereplace()) options.deleteBeforeReplace = true;
    const provider = req.getProvider();
    if (provider) options.provider = providerUrn(provider);
    const dependsOn = req.getDependenciesList();
    if (dependsOn.length > 0) options.dependsOn = [...new Set(dependsOn)].sort();
    const byProperty: Array<[string, string[]]> = [];
    req.getPropertydependenciesMap().forEach((deps, key) => {
        const urns = [...new Set(deps.getUrnsList())].sort();
        if (urns.length > 0) byProperty.push([key, urns]);
    });
    if (byProperty.length > 0) options.propertyDependencies = Object.fromEntries(byProperty.sort(([a], [b]) => a.localeCompare(b)));
    if (req.getIgnorechangesList().length > 0) options.ignoreChanges = req.getIgnorechangesList();
    if (req.getAdditionalsecretoutputsList().length > 0) options.additionalSecretOutputs = req.getAdditionalsecretoutputsList();
    const inputs = redact(req.getObject()?.toJavaScript() ?? {}) as Record<string, unknown>;
    return {
        urn,
        type: req.getType(),
        name: req.getName(),
        parent: req.getParent() || undefined,
        custom: req.getCustom(),
        ...(req.getCustom() && id ? { id } : {}),
        inputs,
        options,
    };
}

async function resolveOutputs(exported: Record<string, unknown>): Promise<Record<string, unknown>> {
    const serialized = await pulumi.runtime.serializeProperties("outputs", exported);
    return redact(serialized) as Record<string, unknown>;
}
