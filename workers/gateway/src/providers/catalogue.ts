/**
 * The AI providers the gateway can call, as plain data: what the config schema (config/schema.ts),
 * the program (components/edge) and the Worker each need to know of a provider. A provider is
 * this entry, its adapter (registry.ts, which the compiler makes complete) and a fake upstream
 * in tools/fakeProviders.ts. No Worker or Pulumi types here: every side imports it.
 */

export interface ProviderEntry {
    /** Prefix of the provider's Worker bindings: `<prefix>_URL`, `<prefix>_MODEL`, `<prefix>_API_KEY`. */
    bindingPrefix: string;
    /** Stack config key of our API key for it (a secret): `ops-platform:<secretConfigKey>`. */
    secretConfigKey: string;
    /** Prefix of its `edge.providers` settings: `<configPrefix>Url`, `<configPrefix>Model`. */
    configPrefix: string;
    defaultUrl: string;
    defaultModel: string;
}

export const PROVIDER_CATALOGUE = {
    openai: {
        bindingPrefix: "OPENAI",
        secretConfigKey: "openaiApiKey",
        configPrefix: "openai",
        defaultUrl: "https://api.openai.com/v1/chat/completions",
        defaultModel: "gpt-4o-mini",
    },
    anthropic: {
        bindingPrefix: "ANTHROPIC",
        secretConfigKey: "anthropicApiKey",
        configPrefix: "anthropic",
        defaultUrl: "https://api.anthropic.com/v1/messages",
        defaultModel: "claude-sonnet-4-5",
    },
} as const satisfies Record<string, ProviderEntry>;

export type ProviderName = keyof typeof PROVIDER_CATALOGUE;
/** Catalogue order, which is also the default failover order. */
export const PROVIDER_NAMES = Object.keys(PROVIDER_CATALOGUE) as ProviderName[];

type Catalogue = typeof PROVIDER_CATALOGUE;
export type ProviderSecretKey = Catalogue[ProviderName]["secretConfigKey"];
export type ProviderKeyBinding = `${Catalogue[ProviderName]["bindingPrefix"]}_API_KEY`;
export type ProviderVar = `${Catalogue[ProviderName]["bindingPrefix"]}_${"URL" | "MODEL"}`;

/** The Worker bindings of one provider. */
export function providerBindings(entry: ProviderEntry): { url: string; model: string; apiKey: string } {
    return { url: `${entry.bindingPrefix}_URL`, model: `${entry.bindingPrefix}_MODEL`, apiKey: `${entry.bindingPrefix}_API_KEY` };
}
