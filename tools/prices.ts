/**
 * `npm run prices -- refresh [--dry-run]`: re-reads the AWS prices of cost/prices.json from the AWS
 * Price List Query API (`GetProducts`, @aws-sdk/client-pricing) with the credentials the AWS SDK
 * finds, and writes each new figure with its source and today's date. Prices without a query
 * here (the Cloudflare ones, and AWS ones whose product filters are not written down) are listed
 * as not refreshed. AWS_PRICING_ENDPOINT points the client elsewhere (the tests' fake).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { GetProductsCommand, PricingClient, type Filter } from "@aws-sdk/client-pricing";
import { REPO_ROOT } from "../config/repoRoot";
import { EXIT_USAGE, UsageError, parseArgs, wantsHelp } from "./plan/cli";
import type { PriceTable } from "./plan/cost";

const USAGE = "usage: npm run prices -- refresh [--dry-run] [--file FILE]";
const HELP = `${USAGE}

Re-reads the AWS prices in cost/prices.json from the AWS Price List Query API and writes them
with today's date. Needs AWS credentials (pricing:GetProducts).

  --dry-run    print what would change, write nothing
  --file FILE  the price table (default cost/prices.json)
  -h, --help   this text`;

const DEFAULT_PRICES = join(REPO_ROOT, "cost", "prices.json");
/** The Price List Query API answers in us-east-1 (and a few others), for every Region's prices. */
const API_REGION = "us-east-1";

/** The Price List query of a price key, where one is written down: its service and product filters. */
export function queryFor(key: string): { serviceCode: string; filters: Record<string, string> } | undefined {
    const ec2 = /^aws\.ec2\.([a-z0-9]+\.[a-z0-9]+)\.([a-z0-9-]+)$/.exec(key);
    if (ec2)
        return {
            serviceCode: "AmazonEC2",
            filters: {
                instanceType: ec2[1]!,
                regionCode: ec2[2]!,
                operatingSystem: "Linux",
                tenancy: "Shared",
                preInstalledSw: "NA",
                capacitystatus: "Used",
            },
        };
    const gp3 = /^aws\.ebs\.gp3\.gb\.([a-z0-9-]+)$/.exec(key);
    if (gp3) return { serviceCode: "AmazonEC2", filters: { productFamily: "Storage", volumeApiName: "gp3", regionCode: gp3[1]! } };
    const kms = /^aws\.kms\.key\.([a-z0-9-]+)$/.exec(key);
    if (kms) return { serviceCode: "awskms", filters: { productFamily: "Encryption Key", regionCode: kms[1]! } };
    return undefined;
}

interface PriceListItem {
    terms?: { OnDemand?: Record<string, { priceDimensions?: Record<string, { pricePerUnit?: { USD?: string }; beginRange?: string }> }> };
}

/** The On-Demand USD price of the first tier of each product the query matched; all of them must agree. */
function onDemandUsd(priceList: string[]): number | undefined {
    const prices = priceList.flatMap((text) => {
        const item = JSON.parse(text) as PriceListItem;
        return Object.values(item.terms?.OnDemand ?? {}).flatMap((term) =>
            Object.values(term.priceDimensions ?? {})
                .filter((d) => (d.beginRange ?? "0") === "0")
                .map((d) => Number(d.pricePerUnit?.USD)),
        );
    });
    const distinct = [...new Set(prices.filter((p) => Number.isFinite(p) && p > 0))];
    return distinct.length === 1 ? distinct[0] : undefined;
}

async function refresh(path: string, dryRun: boolean): Promise<void> {
    const file = JSON.parse(readFileSync(path, "utf8")) as { prices: PriceTable };
    const client = new PricingClient({
        region: API_REGION,
        ...(process.env["AWS_PRICING_ENDPOINT"] ? { endpoint: process.env["AWS_PRICING_ENDPOINT"] } : {}),
    });
    const today = new Date().toISOString().slice(0, 10);
    const skipped: string[] = [];
    for (const [key, price] of Object.entries(file.prices)) {
        const query = key.startsWith("aws.") ? queryFor(key) : undefined;
        if (!query) {
            skipped.push(key);
            continue;
        }
        const Filters: Filter[] = Object.entries(query.filters).map(([Field, Value]) => ({ Type: "TERM_MATCH", Field, Value }));
        let answer;
        try {
            answer = await client.send(
                new GetProductsCommand({ ServiceCode: query.serviceCode, Filters, FormatVersion: "aws_v1", MaxResults: 100 }),
            );
        } catch (error) {
            const e = error as { name?: string; message: string };
            if (e.name === "CredentialsProviderError")
                throw new UsageError(`no AWS credentials: ${e.message}; log in (aws sso login) or set AWS_PROFILE`);
            throw error;
        }
        const usd = onDemandUsd(answer.PriceList ?? []);
        if (usd === undefined) {
            process.stderr.write(
                `${key}: the query matched ${answer.PriceList?.length ?? 0} products without one On-Demand price; left as it is\n`,
            );
            continue;
        }
        if (usd !== price.usd) process.stdout.write(`${key}: ${price.usd} -> ${usd} ${price.unit}\n`);
        file.prices[key] = {
            ...price,
            usd,
            source: `https://pricing.us-east-1.amazonaws.com (Price List Query API GetProducts ${query.serviceCode} ${Object.entries(
                query.filters,
            )
                .map(([k, v]) => `${k}=${v}`)
                .join(" ")})`,
            readAt: today,
        };
    }
    process.stdout.write(`not refreshed (no Price List query here): ${skipped.join(", ")}\n`);
    if (!dryRun) writeFileSync(path, `${JSON.stringify(file, null, 2)}\n`);
}

async function main(argv: string[]): Promise<void> {
    if (wantsHelp(argv)) return void process.stdout.write(`${HELP}\n`);
    const { positional, flags, switches } = parseArgs(argv, ["file"], ["dry-run"]);
    if (positional.length !== 1 || positional[0] !== "refresh") throw new UsageError(USAGE);
    await refresh(flags["file"] ?? DEFAULT_PRICES, switches.has("dry-run"));
}

if (require.main === module)
    main(process.argv.slice(2)).catch((error: unknown) => {
        process.stderr.write(`${(error as Error).message}\n`);
        process.exit(error instanceof UsageError ? EXIT_USAGE : 1);
    });
