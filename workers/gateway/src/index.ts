/** The gateway Worker's entry: the gateway (gateway.ts) with every provider of the catalogue. */
import { createGateway } from "./gateway";
import { ADAPTERS } from "./providers/registry";

export default createGateway(ADAPTERS);
