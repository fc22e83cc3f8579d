/** What backs up each stateful resource: tier, RPO and RTO, and the plan or export that covers it. */
import { BACKUP_TIER_TAG, SEED_OBJECTIVES, formatMinutes, type BackupTier } from "../../policies/lib/backupMatrix";
import { KV_NAMESPACE_TYPE, STATEFUL_TIER_TAGS, kvBindingKept, kvBindingsOf, scheduledExport } from "../../policies/lib/resourceCatalogue";
import { selectionMatches } from "../../policies/lib/resources";
import type { PlanDocument } from "./document";

export interface CoverageRow {
    urn: string;
    name: string;
    type: string;
    tier?: string;
    rpo?: string;
    rto?: string;
    /** The plan (or export) that covers it; undefined when nothing does. */
    coveredBy?: string;
    /** Why it needs no backup (a cache refilled on a miss), or why coverage cannot be told yet. */
    note?: string;
}

/** A KV namespace's row: exported by the Worker's cron (the same predicate as the policy kv-namespaces-exported), a cache, or neither. */
function kvCoverage(
    namespace: PlanDocument["resources"][number],
    resources: PlanDocument["resources"],
): Pick<CoverageRow, "rpo" | "coveredBy" | "note"> {
    if (!namespace.id) return { note: "not known until its id exists (a first preview)" };
    const kept = kvBindingsOf(namespace.id, resources).map(({ worker, binding }) => ({ binding, how: kvBindingKept(worker, binding) }));
    const exported = kept.find((k) => k.how === "exported");
    if (exported && scheduledExport(resources)) return { rpo: "1 d", coveredBy: `Worker cron export to R2 (binding ${exported.binding})` };
    if (kept.length > 0 && kept.every((k) => k.how === "regenerable"))
        return { note: `not exported: bound as ${kept.map((k) => k.binding).join(", ")}, a cache refilled on a miss` };
    return {};
}

/** Every backup-capable resource -> tier -> RPO/RTO -> the plan that selects it. */
export function backupCoverage(doc: PlanDocument): CoverageRow[] {
    const byUrn = new Map(doc.resources.map((r) => [r.urn, r]));
    const selections = doc.resources.filter((r) => r.type === "aws:backup/selection:Selection");
    const planSelecting = (tags: Record<string, string>, type: string) => {
        const selection = selections.find((s) => selectionMatches(s.inputs, tags, type));
        const plan = selection?.parent ? byUrn.get(selection.parent) : undefined;
        return selection && String(plan?.inputs["name"] ?? plan?.name ?? selection.name);
    };
    const rows: CoverageRow[] = [];
    for (const r of doc.resources) {
        const tagSets = STATEFUL_TIER_TAGS[r.type]?.(r.inputs);
        if (tagSets) {
            const byTier = new Map(tagSets.map((tags) => [tags[BACKUP_TIER_TAG], tags]));
            for (const [tier, tags] of byTier) {
                const objective = tier ? SEED_OBJECTIVES[tier as BackupTier] : undefined;
                rows.push({
                    urn: r.urn,
                    name: r.name,
                    type: r.type,
                    tier,
                    rpo: objective && formatMinutes(objective.rpoMinutes),
                    rto: objective && formatMinutes(objective.rtoMinutes),
                    coveredBy: planSelecting(tags, r.type),
                });
            }
        }
        if (r.type === KV_NAMESPACE_TYPE) rows.push({ urn: r.urn, name: r.name, type: r.type, ...kvCoverage(r, doc.resources) });
    }
    return rows;
}
