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

/** The version serving most traffic in the newest deployment, other than `newVersionId`. */
export function stableVersion(live: readonly LiveDeployment[], newVersionId: string): string | undefined {
    const newest = [...live].sort((a, b) => b.createdOn.localeCompare(a.createdOn))[0];
    return newest?.versions
        .filter((v) => v.versionId !== newVersionId)
        .sort((a, b) => b.percentage - a.percentage)[0]?.versionId;
}

export function deploymentVersions(newVersionId: string, stable: string | undefined, canaryPercent: number, pinnedVersionId?: string): VersionShare[] {
    if (pinnedVersionId) return [{ versionId: pinnedVersionId, percentage: 100 }];
    if (!stable || canaryPercent >= 100) return [{ versionId: newVersionId, percentage: 100 }];
    return [
        { versionId: newVersionId, percentage: canaryPercent },
        { versionId: stable, percentage: 100 - canaryPercent },
    ];
}
