/** Every catalogue entry's adapter: a provider added to catalogue.ts without one fails the type-check here. */
import type { ProviderAdapter } from "./adapter";
import { anthropic } from "./anthropic";
import type { ProviderName } from "./catalogue";
import { openai } from "./openai";

export type Adapters = Readonly<Record<string, ProviderAdapter>>;

export const ADAPTERS = { openai, anthropic } as const satisfies Record<ProviderName, ProviderAdapter>;
