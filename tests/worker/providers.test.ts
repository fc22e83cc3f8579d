/** The provider registry: each catalogue entry's own adapter. */
import { PROVIDER_CATALOGUE, PROVIDER_NAMES } from "../../workers/gateway/src/providers/catalogue";
import { ADAPTERS } from "../../workers/gateway/src/providers/registry";

it("registers each catalogue entry's own adapter, so an adapter never reads another provider's bindings", () => {
    expect(Object.keys(ADAPTERS)).toEqual(PROVIDER_NAMES);
    for (const name of PROVIDER_NAMES) expect([name, ADAPTERS[name].entry]).toEqual([name, PROVIDER_CATALOGUE[name]]);
});
