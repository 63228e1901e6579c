/**
 * IP aliases stacked on a CARP VIP in the emulator: pfSense's sync carries them to the secondary
 * unchanged, each is bound to its CARP VIP's group (interfaces.inc interface_ipalias_configure())
 * and follows its state, an alias whose parent is gone has no CARP state, and a restore that
 * drops an alias takes its address off (xmlrpc.php's cleanup of old stacked aliases).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PHP_SNIPPETS } from "../../sdk/codec/phpSnippets";
import { leaf, toList, toStruct, type PhpStruct } from "../../sdk/codec/phpValue";
import { startPair, type EmulatedPair } from "../../sdk/emulator";
import { call, carpVip, tempDir } from "./helpers";

const U = "65c000000002a";
const alias = (addr: string, uniqid: string, parent = U): PhpStruct => ({
  mode: "ipalias",
  interface: `_vip${parent}`,
  uniqid,
  descr: "stacked",
  type: "single",
  subnet_bits: "24",
  subnet: addr,
});

describe("IP aliases stacked on a CARP VIP", () => {
  let pair: EmulatedPair;
  const restore = (vips: PhpStruct[]) =>
    call(pair.primary, "admin", pair.primary.password, "pfsense.restore_config_section", [
      {
        virtualip: { vip: vips },
        hasync: {
          synchronizetoip: "172.16.1.2",
          password: pair.primary.password,
          synchronizevirtualip: "on",
        },
      },
      900,
    ]);
  before(async () => {
    pair = await startPair({ dir: tempDir("stacked"), autoSyncDelayMs: 10 });
    await restore([
      carpVip("wan", 1, "192.168.1.254", U, "0"),
      alias("192.168.1.250", "65c00000000a1"),
      alias("192.168.1.251", "65c00000000a2"),
    ]);
    await pair.primary.syncIdle();
  });
  after(() => pair.stop());

  it("the secondary gets the aliases unchanged through pfSense's sync", () => {
    const vips = (n: EmulatedPair["primary"]) =>
      toList(toStruct(n.config().virtualip).vip)
        .map((v) => toStruct(v))
        .filter((v) => leaf(v.mode) === "ipalias");
    assert.deepEqual(vips(pair.secondary), vips(pair.primary));
    assert.equal(vips(pair.secondary).length, 2);
  });

  it("each alias is MASTER on the primary and BACKUP on the secondary, with its VIP", () => {
    assert.deepEqual(pair.primary.stackedAliasStatus(), {
      "192.168.1.250": "MASTER",
      "192.168.1.251": "MASTER",
    });
    assert.deepEqual(pair.secondary.stackedAliasStatus(), {
      "192.168.1.250": "BACKUP",
      "192.168.1.251": "BACKUP",
    });
  });

  it("maintenance mode on the primary moves the aliases with the VIP", async () => {
    const pw = pair.primary.password;
    await call(pair.primary, "admin", pw, "pfsense.exec_php", [PHP_SNIPPETS.maintenanceOn, 240]);
    assert.equal(pair.primary.stackedAliasStatus()["192.168.1.250"], "BACKUP");
    assert.equal(pair.secondary.stackedAliasStatus()["192.168.1.250"], "MASTER");
    await call(pair.primary, "admin", pw, "pfsense.exec_php", [PHP_SNIPPETS.maintenanceOff, 240]);
    assert.equal(pair.primary.stackedAliasStatus()["192.168.1.250"], "MASTER");
  });

  it("an alias dropped by a restore leaves the interface; one whose parent is gone has no CARP state", async () => {
    await restore([
      carpVip("wan", 1, "192.168.1.254", U, "0"),
      alias("192.168.1.250", "65c00000000a1"),
      alias("192.168.1.252", "65c00000000a3", "65c00000000ff"),
    ]);
    await pair.primary.syncIdle();
    assert.equal(pair.primary.stackedAliases.has("192.168.1.251"), false);
    assert.deepEqual(pair.primary.stackedAliasStatus(), {
      "192.168.1.250": "MASTER",
      "192.168.1.252": "",
    });
  });
});
