/**
 * Unicast CARP (pfSense Plus): refused on CE before anything is written; on Plus each node's
 * `carp_peer` is the other node's own interface address. The emulator speaks CE only, so for the
 * Plus case the client's firmware answer is replaced by a Plus one; every write is real.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { leaf } from "../../sdk/codec/phpValue";
import { getNodeSession, profileFor } from "../../sdk/pfsense";
import type { FirmwareInfo } from "../../sdk/pfsense/types";
import { isHaError } from "../../sdk/plan/errors";
import { toNodeEndpoint, type PairRole } from "../../sdk/providers/endpointInputs";
import { providers } from "../../sdk/providers/runtime";
import type { CarpVipInputs } from "../../sdk/providers/carpVipSpec";
import { rawVip, rawVips } from "./nodeView";
import { startFixture, type PairFixture } from "./pairFixture";

let fx: PairFixture;
before(async () => {
  fx = await startFixture();
});
after(async () => {
  await fx.close();
});

const inputs = (): CarpVipInputs => ({
  primary: fx.primary,
  secondary: fx.secondary,
  name: "wan-ucast",
  interface: "wan",
  subnet: "192.168.1.0/24",
  address: "192.168.1.100",
  password: "UcastPw1",
  unicast: true,
});

test("unicast on pfSense CE is refused (E_UNSUPPORTED_VERSION) and nothing is written", async () => {
  const before = rawVips(fx.pair.primary).length;
  const e = await providers.carpVip.create(inputs()).catch((x: unknown) => x);
  assert.ok(isHaError(e, "E_UNSUPPORTED_VERSION"), String(e));
  assert.match(String(e), /pfSense Plus/);
  assert.equal(rawVips(fx.pair.primary).length, before);
});

test("unicast on pfSense Plus: each node peers with the other node's address", async () => {
  const { resetNodeSessions } = await import("../../sdk/pfsense");
  resetNodeSessions(); // forget the CE firmware cached above
  for (const [role, ep] of [
    ["primary", fx.primary],
    ["secondary", fx.secondary],
  ] as [PairRole, typeof fx.primary][]) {
    const client = getNodeSession(toNodeEndpoint(ep, role)).client as unknown as {
      firmwareVersion(): Promise<FirmwareInfo>;
      readWithToken(names: string[]): Promise<{ firmware: FirmwareInfo } | undefined>;
    };
    const asPlus = (f: FirmwareInfo): FirmwareInfo => {
      const productVersion = "23.09.1-RELEASE";
      return {
        ...f,
        productVersion,
        platform: "pfSense Plus",
        profile: profileFor(productVersion, "pfSense Plus", f.configVersion),
      };
    };
    // The firmware arrives with the first read, or from its own call without exec_php.
    const realVersion = client.firmwareVersion.bind(client);
    client.firmwareVersion = async () => asPlus(await realVersion());
    const realRead = client.readWithToken.bind(client);
    client.readWithToken = async (names) => {
      const r = await realRead(names);
      return r && { ...r, firmware: asPlus(r.firmware) };
    };
  }
  const { id, outs } = await providers.carpVip.create(inputs());
  assert.equal(leaf(rawVip(fx.pair.primary, id)?.carp_mode), "ucast");
  assert.equal(leaf(rawVip(fx.pair.primary, id)?.carp_peer), "192.168.1.2");
  assert.equal(leaf(rawVip(fx.pair.secondary, id)?.carp_peer), "192.168.1.1");
  assert.equal(outs.primaryPeer, "192.168.1.2");
  assert.equal(outs.secondaryPeer, "192.168.1.1");
  const r = await providers.carpVip.read(id, outs);
  assert.equal(r.props.drift, undefined, "no drift: the peers are as written");
  await providers.carpVip.delete(id, outs);
});
