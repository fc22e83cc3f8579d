/**
 * Where this repository lives: package.json's `repository`, the one place npm and GitHub read it
 * too. The alerts link their runbooks in it (monitoring.runbookBaseUrl's default).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./repoRoot";

/** The runbooks' folder in the repository, one page per alert and per procedure. */
export const RUNBOOKS_DIR = "docs/runbooks";

function repositoryUrl(): string {
    const { repository } = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { repository?: { url?: string } };
    const url = repository?.url?.replace(/^git\+/, "").replace(/\.git$/, "");
    if (!url?.startsWith("https://"))
        throw new Error(`package.json: repository.url is ${JSON.stringify(url)}; expected the repository's https URL`);
    return url;
}

export const REPOSITORY_URL = repositoryUrl();
/** The runbooks as the repository's host shows them, on the default branch. */
export const RUNBOOKS_URL = `${REPOSITORY_URL}/blob/main/${RUNBOOKS_DIR}`;

/** A runbook page's file name: the alert's name in kebab case (GatewayHighErrorRate -> gateway-high-error-rate). */
export function runbookSlug(alert: string): string {
    return alert
        .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
        .replace(/([A-Z])([A-Z][a-z])/g, "$1-$2")
        .toLowerCase();
}

/** The link to a runbook page under `base` (monitoring.runbookBaseUrl). */
export function runbookUrl(base: string, slug: string): string {
    return `${base}/${slug}.md`;
}
