/**
 * What a model's tokens cost, per million, as its provider lists them: the Worker prices every
 * answer with it (usage.ts), and the config check refuses a configured model missing from it
 * (config/rules.ts), so no answer is recorded at a silent $0. Plain data: every side imports it.
 */
export interface ModelPrice {
    /** US dollars per million prompt (input) tokens. */
    inputPerMillion: number;
    /** US dollars per million completion (output) tokens. */
    outputPerMillion: number;
    source: string;
    /** The day the price was read from its source. */
    readAt: string;
}

const OPENAI_PRICING = "https://openai.com/api/pricing/";
const ANTHROPIC_PRICING = "https://docs.claude.com/en/docs/about-claude/pricing";

export const MODEL_PRICES: Record<string, ModelPrice> = {
    "gpt-4o-mini": { inputPerMillion: 0.15, outputPerMillion: 0.6, source: OPENAI_PRICING, readAt: "2026-12-04" },
    "gpt-4o": { inputPerMillion: 2.5, outputPerMillion: 10, source: OPENAI_PRICING, readAt: "2026-12-04" },
    "claude-sonnet-4-5": { inputPerMillion: 3, outputPerMillion: 15, source: ANTHROPIC_PRICING, readAt: "2026-12-04" },
    "claude-haiku-4-5": { inputPerMillion: 1, outputPerMillion: 5, source: ANTHROPIC_PRICING, readAt: "2026-12-04" },
};

/** The answer's cost in US dollars, or undefined when the model has no price. */
export function answerCost(model: string, promptTokens: number, completionTokens: number): number | undefined {
    const price = Object.hasOwn(MODEL_PRICES, model) ? MODEL_PRICES[model] : undefined;
    if (!price) return undefined;
    return (promptTokens * price.inputPerMillion + completionTokens * price.outputPerMillion) / 1_000_000;
}
