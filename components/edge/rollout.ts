/**
 * How traffic is split between Worker versions, as a pure function of the new version, what
 * is live now, and config: promote by raising `canaryPercent` (10 -> 50 -> 100); roll back in
 * one step by pinning a version.
 */

export interface VersionShare {
    versionId: string;
    percentage: number;
}

export interface LiveDeployment {
    createdOn: string;
    versions: VersionShare[];
}

const newestFirst = (live: readonly LiveDeployment[]) => [...live].sort((a, b) => b.createdOn.localeCompare(a.createdOn));
const largestShareOtherThan = (deployment: LiveDeployment, versionId: string) =>
    [...deployment.versions].filter((v) => v.versionId !== versionId).sort((a, b) => b.percentage - a.percentage)[0]?.versionId;

/** The version serving most traffic in the newest deployment, other than `newVersionId`: what a canary splits with. */
export function stableVersion(live: readonly LiveDeployment[], newVersionId: string): string | undefined {
    const [newest] = newestFirst(live);
    return newest && largestShareOtherThan(newest, newVersionId);
}

/**
 * The version to roll back to: the one that served most in the newest deployment that served
 * anything but `currentVersionId`. Cloudflare keeps the deployment history, so this survives
 * any number of `up`s after a version reached 100%.
 */
export function previousVersion(live: readonly LiveDeployment[], currentVersionId: string): string | undefined {
    for (const deployment of newestFirst(live)) {
        const other = largestShareOtherThan(deployment, currentVersionId);
        if (other) return other;
    }
    return undefined;
}

export function deploymentVersions(
    newVersionId: string,
    stable: string | undefined,
    canaryPercent: number,
    pinnedVersionId?: string,
): VersionShare[] {
    if (pinnedVersionId) return [{ versionId: pinnedVersionId, percentage: 100 }];
    if (!stable || canaryPercent >= 100) return [{ versionId: newVersionId, percentage: 100 }];
    return [
        { versionId: newVersionId, percentage: canaryPercent },
        { versionId: stable, percentage: 100 - canaryPercent },
    ];
}
