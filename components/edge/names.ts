/**
 * The edge's names derived from the stack's name prefix (`<service>-<environment>`): the
 * program declares them (edge.ts), and the tools that find them live (`npm run canary`, the
 * plan's mocks) derive them here rather than again.
 */

/** The gateway's script name: `<service>-<environment>-<workerName>`. */
export function gatewayScriptName(namePrefix: string, workerName: string): string {
    return `${namePrefix}-${workerName}`;
}

/** The gateway's Analytics Engine dataset: one per environment, in the characters dataset names take. */
export function analyticsDatasetName(namePrefix: string): string {
    return `${namePrefix.replace(/[^A-Za-z0-9]/g, "_")}_gateway`;
}
