/** host_firmware_version → FirmwareInfo and capability profiles per version family (§1, §4, §9.3, §12). */
import { test } from "node:test";
import assert from "node:assert/strict";
import { isHaError } from "../../sdk/plan/errors";
import { parseFirmwareInfo, profileFor } from "../../sdk/pfsense";

const reply = (version: string, config: string, platform = "pfSense") => ({
  firmware: { version },
  kernel: { version: "14.0" },
  base: { version: "14.0" },
  platform,
  config_version: config,
});

test("each CE release maps to its family with the right flags", () => {
  const cases: [string, string, string, boolean, boolean, "old" | "new"][] = [
    // product, config, family, requiresTimeoutParam, hasPfHostId, natTargetFormat
    ["2.4.5-RELEASE-p1", "19.1", "2.4", false, false, "old"],
    ["2.5.0-RELEASE", "21.4", "2.5.0-2.5.1", false, false, "old"],
    ["2.5.2-RELEASE", "21.7", "2.5.2-2.6", true, false, "old"],
    ["2.6.0-RELEASE", "22.2", "2.5.2-2.6", true, false, "old"],
    ["2.7.0-RELEASE", "22.9", "2.7", true, true, "old"],
    ["2.7.2-RELEASE", "23.3", "2.7", true, true, "new"],
    ["2.8.0-RELEASE", "24.5", "2.8", true, true, "new"],
    ["2.9.0-DEVELOPMENT", "24.5", "2.8", true, true, "new"],
  ];
  for (const [product, config, family, timeout, hostId, nat] of cases) {
    const info = parseFirmwareInfo(reply(product, config));
    assert.equal(info.productVersion, product);
    assert.equal(info.configVersion, config);
    assert.equal(info.kernelVersion, "14.0");
    assert.equal(info.profile.family, family, product);
    assert.equal(info.profile.requiresTimeoutParam, timeout, product);
    assert.equal(info.profile.hasPfHostId, hostId, product);
    assert.equal(info.profile.natTargetFormat, nat, product);
    assert.equal(info.profile.plus, false);
  }
});

test("full-replace lists follow the receiver (§5.1 step 4): dhcrelay from the 2.7 family, kea on 2.8", () => {
  assert.ok(
    !profileFor("2.6.0-RELEASE", "pfSense", "22.2").fullReplaceSections.includes("dhcrelay"),
  );
  assert.ok(
    profileFor("2.7.2-RELEASE", "pfSense", "23.3").fullReplaceSections.includes("dhcrelay"),
  );
  assert.ok(profileFor("2.8.0-RELEASE", "pfSense", "24.5").fullReplaceSections.includes("kea"));
  for (const v of ["2.4.5-RELEASE", "2.7.2-RELEASE"]) {
    const p = profileFor(v, "pfSense", "19.1");
    assert.ok(p.fullReplaceSections.includes("nat") && p.fullReplaceSections.includes("dhcpd"));
    assert.ok(
      !p.fullReplaceSections.includes("virtualip") && !p.fullReplaceSections.includes("hasync"),
    );
  }
});

test("pfSense Plus is recognised by its platform label and mapped conservatively", () => {
  const info = parseFirmwareInfo(reply("24.11-RELEASE", "24.0", "pfSense Plus"));
  assert.equal(info.profile.plus, true);
  assert.equal(info.profile.family, "2.8");
  assert.equal(info.profile.natTargetFormat, "new");
  assert.equal(
    parseFirmwareInfo(reply("23.01-RELEASE", "22.9", "pfSense Plus")).profile.family,
    "2.7",
  );
});

test("2.3 and older, unknown future majors and garbage are refused with E_UNSUPPORTED_VERSION", () => {
  for (const v of ["2.3.5-RELEASE", "1.2.3", "3.0.0-RELEASE", "2.10.0-RELEASE", "banana"]) {
    assert.throws(
      () => parseFirmwareInfo(reply(v, "15.8")),
      (e: unknown) =>
        isHaError(e, "E_UNSUPPORTED_VERSION") && /not supported/.test((e as Error).message),
      v,
    );
  }
  assert.throws(
    () => parseFirmwareInfo(reply("99.01-RELEASE", "30.0", "pfSense Plus")),
    (e: unknown) => isHaError(e, "E_UNSUPPORTED_VERSION"),
  );
});

test("a reply without config_version or that is not a struct is a malformed reply", () => {
  assert.throws(
    () => parseFirmwareInfo({ firmware: { version: "2.7.2-RELEASE" } }),
    (e: unknown) => isHaError(e, "E_MALFORMED_REPLY"),
  );
  assert.throws(
    () => parseFirmwareInfo(true),
    (e: unknown) => isHaError(e, "E_MALFORMED_REPLY"),
  );
});

test("fault mapping: unknown fault codes are E_FAULT with the fault string; -1/-2 name the user, not the password", async () => {
  const { faultToError } = await import("../../sdk/pfsense/faultMapping");
  const ep = {
    name: "secondary",
    url: "https://u:leak@10.0.0.2:8443/xmlrpc.php",
    username: "hasync",
    password: "leak",
  };
  const f = faultToError(ep, "pfsense.exec_php", 1, "Unhandled PHP Exception");
  assert.equal(f.code, "E_FAULT");
  assert.match(f.message, /fault 1 "Unhandled PHP Exception"/);
  assert.equal(
    f.field,
    "node secondary (https://10.0.0.2:8443)",
    "URL credentials and path are not shown",
  );
  for (const code of [-1, -2]) {
    const e = faultToError(ep, "pfsense.host_firmware_version", code, "Authentication failed");
    assert.match(e.message, /"hasync"/);
    assert.ok(!JSON.stringify({ m: e.message, f: e.field, x: e.fix }).includes("leak"));
  }
  assert.match(
    faultToError(ep, "pfsense.captive_portal_sync", -32601, "x").message,
    /2\.4\.x and earlier/,
  );
  assert.match(
    faultToError(ep, "pfsense.backup_config_section", -32601, "x").message,
    /not pfSense/,
  );
});
