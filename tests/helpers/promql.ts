/** PromQL read with the Prometheus project's own grammar (@prometheus-io/lezer-promql). */
import { parser } from "@prometheus-io/lezer-promql";

export interface Selector {
    metric: string;
    labels: string[];
}

/** The vector selectors of an expression; throws on anything the grammar does not accept. */
export function selectorsOf(expr: string): Selector[] {
    const tree = parser.parse(expr);
    const selectors: Selector[] = [];
    const errors: number[] = [];
    tree.iterate({
        enter(node) {
            if (node.type.isError) errors.push(node.from);
            if (node.name !== "VectorSelector") return;
            const identifier = node.node.getChild("Identifier");
            const matchers = node.node.getChild("LabelMatchers");
            const labels = matchers
                ? matchers
                      .getChildren("UnquotedLabelMatcher")
                      .map((m) => expr.slice(m.getChild("LabelName")!.from, m.getChild("LabelName")!.to))
                : [];
            selectors.push({ metric: identifier ? expr.slice(identifier.from, identifier.to) : "", labels });
        },
    });
    if (errors.length > 0) throw new Error(`not PromQL at offset ${errors[0]}: ${expr}`);
    return selectors;
}
