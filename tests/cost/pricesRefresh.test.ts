/**
 * `npm run prices -- refresh` against a fake AWS Price List Query API on 127.0.0.1, spoken to by
 * the real @aws-sdk/client-pricing (AWS JSON 1.1, `AWSPriceListService.GetProducts`).
 */
import { execFile } from "node:child_process";
import { copyFileSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { promisify } from "node:util";
import { queryFor } from "../../tools/prices";
import { ROOT } from "../helpers/cli";
import { scratchDir } from "../helpers/scratch";

const requests: Array<{ target: string; body: { ServiceCode: string; Filters: Array<{ Field: string; Value: string }> } }> = [];
const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        requests.push({ target: String(req.headers["x-amz-target"]), body });
        if (requests.length > 50) return res.writeHead(429).end();
        const filter = (field: string) => body.Filters.find((f: { Field: string }) => f.Field === field)?.Value;
        // t3.medium in us-east-1 went up; everything else answers no product.
        const usd = filter("instanceType") === "t3.medium" && filter("regionCode") === "us-east-1" ? "0.0450000000" : undefined;
        const item = {
            terms: {
                OnDemand: {
                    "SKU.JRTCKXETXF": { priceDimensions: { "SKU.JRTCKXETXF.6YS6EN2CT7": { beginRange: "0", pricePerUnit: { USD: usd } } } },
                },
            },
        };
        res.writeHead(200, { "content-type": "application/x-amz-json-1.1" }).end(
            JSON.stringify({ FormatVersion: "aws_v1", PriceList: usd ? [JSON.stringify(item)] : [] }),
        );
    });
});
let endpoint: string;
beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

it("queries each AWS price it knows a query for, and writes the new figure with its source and today's date", async () => {
    const file = join(scratchDir("prices"), "prices.json");
    copyFileSync(join(ROOT, "cost", "prices.json"), file);
    const env = { ...process.env, AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret", AWS_PRICING_ENDPOINT: endpoint };
    const { stdout } = await promisify(execFile)(process.execPath, ["tools/bin/run.cjs", "prices", "refresh", "--file", file], {
        cwd: ROOT,
        env,
        timeout: 30_000,
    });
    expect(stdout).toContain("aws.ec2.t3.medium.us-east-1: 0.0416 -> 0.045 USD per instance-hour");
    expect(stdout).toMatch(/not refreshed \(no Price List query here\): .*cloudflare\.workers\.paidMonth/);
    const prices = JSON.parse(readFileSync(file, "utf8")).prices;
    expect(prices["aws.ec2.t3.medium.us-east-1"]).toMatchObject({
        usd: 0.045,
        readAt: new Date().toISOString().slice(0, 10),
        source: expect.stringContaining("GetProducts AmazonEC2 instanceType=t3.medium regionCode=us-east-1 operatingSystem=Linux"),
    });
    // A query that matched no product leaves the price as it was.
    expect(prices["aws.ec2.t3.large.us-east-1"].usd).toBe(0.0832);
    expect(requests.every((r) => r.target === "AWSPriceListService.GetProducts")).toBe(true);
    expect(requests.find((r) => r.body.Filters.some((f) => f.Value === "t3.medium"))!.body.ServiceCode).toBe("AmazonEC2");
});

it("writes down a query only where its filters are known", () => {
    expect(queryFor("aws.nat.hour.us-east-1")).toBeUndefined();
    expect(queryFor("aws.ebs.gp3.gb.us-west-2")).toEqual({
        serviceCode: "AmazonEC2",
        filters: { productFamily: "Storage", volumeApiName: "gp3", regionCode: "us-west-2" },
    });
});
