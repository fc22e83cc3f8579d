/**
 * The runbooks (docs/runbooks) as data: each page's front matter (the alerts, CloudWatch alarms
 * or procedure it is for), its PromQL blocks and the `npm run` commands it tells someone to run;
 * and the coverage rules a page set must meet against the alerts and the tools that exist.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { RUNBOOKS_DIR } from "../../config/repository";
import { REPO_ROOT } from "../../config/repoRoot";

export interface RunbookPage {
    slug: string;
    alerts: string[];
    cloudwatchAlarms: string[];
    procedure?: string;
    promql: string[];
    /** Each `npm run <script> [-- args]` command, as written (continuation lines joined). */
    npmRuns: Array<{ script: string; args: string[] }>;
    body: string;
}

export function parseRunbook(slug: string, text: string): RunbookPage {
    const front = /^---\n([\s\S]*?)\n---\n/.exec(text);
    if (!front) throw new Error(`${slug}.md: no front matter; expected alerts, cloudwatchAlarms or procedure between --- lines`);
    const meta = (parse(front[1]!) ?? {}) as { alerts?: string[]; cloudwatchAlarms?: string[]; procedure?: string };
    const body = text.slice(front[0].length);
    const promql = [...body.matchAll(/```promql\n([\s\S]*?)```/g)].map((m) => m[1]!.trim());
    const joined = body.replace(/\\\n\s*/g, " ");
    const npmRuns = [...joined.matchAll(/npm run ([a-z:-]+)((?: [^`\n#|]*)?)/g)].map((m) => {
        const words = m[2]!.trim().split(/\s+/).filter(Boolean);
        const dashes = words.indexOf("--");
        return { script: m[1]!, args: dashes === -1 ? [] : words.slice(dashes + 1) };
    });
    return {
        slug,
        alerts: meta.alerts ?? [],
        cloudwatchAlarms: meta.cloudwatchAlarms ?? [],
        procedure: meta.procedure,
        promql,
        npmRuns,
        body,
    };
}

export function readRunbooks(dir = join(REPO_ROOT, RUNBOOKS_DIR)): RunbookPage[] {
    return readdirSync(dir)
        .filter((f) => f.endsWith(".md") && f !== "README.md")
        .sort()
        .map((f) => parseRunbook(f.slice(0, -3), readFileSync(join(dir, f), "utf8")));
}

export interface Coverage {
    /** Every alert the stacks declare, and the runbook page its link names. */
    alerts: ReadonlyMap<string, string>;
    /** Every CloudWatch alarm (by its name's suffix) and its page. */
    cloudwatchAlarms: ReadonlyMap<string, string>;
    /** npm scripts, and for those that run one of our tools the flags its --help lists. */
    scripts: ReadonlyMap<string, ReadonlySet<string> | undefined>;
}

/** What is wrong with a set of pages: alerts without their page, pages for alerts that do not exist, commands that do not. */
export function runbookProblems(pages: readonly RunbookPage[], coverage: Coverage): string[] {
    const problems: string[] = [];
    const bySlug = new Map(pages.map((p) => [p.slug, p]));
    const check = (kind: string, wanted: ReadonlyMap<string, string>, listed: (p: RunbookPage) => string[]) => {
        for (const [name, slug] of wanted) {
            const page = bySlug.get(slug);
            if (!page) problems.push(`${kind} ${name} links ${slug}.md, which does not exist`);
            else if (!listed(page).includes(name)) problems.push(`${kind} ${name} links ${slug}.md, which does not name it`);
        }
        for (const page of pages)
            for (const name of listed(page))
                if (!wanted.has(name)) problems.push(`${page.slug}.md names ${kind} ${name}, which no stack declares`);
    };
    check("alert", coverage.alerts, (p) => p.alerts);
    check("CloudWatch alarm", coverage.cloudwatchAlarms, (p) => p.cloudwatchAlarms);
    for (const page of pages) {
        if (page.alerts.length + page.cloudwatchAlarms.length === 0 && !page.procedure)
            problems.push(`${page.slug}.md names no alert, CloudWatch alarm or procedure`);
        // A fence with text after it, or one left open, turns the rest of the page into code.
        const fences = page.body.split("\n").filter((line) => /^\s*```/.test(line));
        if (fences.some((line) => !/^\s*```[a-z]*\s*$/.test(line)) || fences.length % 2 !== 0)
            problems.push(`${page.slug}.md has a code fence with text after it or one left open`);
        for (const { script, args } of page.npmRuns) {
            if (!coverage.scripts.has(script)) {
                problems.push(`${page.slug}.md runs npm run ${script}, which package.json does not have`);
                continue;
            }
            const flags = coverage.scripts.get(script);
            for (const arg of args.filter((a) => a.startsWith("--")))
                if (flags && !flags.has(arg.split("=")[0]!))
                    problems.push(`${page.slug}.md runs npm run ${script} with ${arg}, which its --help does not list`);
        }
    }
    return problems;
}
