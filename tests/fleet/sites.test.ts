/**
 * The fleet's sites file and what each site becomes: the example file parses, every mistake is
 * refused with E_INVALID_INPUT naming the site and field, passwords and `secrets:` become secret
 * stack config, the scrubber hides every secret, and `same` is not a change.
 */
import assert from "node:assert/strict";
import * as path from "node:path";
import { describe, it } from "node:test";
import {
  countChanges,
  parseSites,
  readSitesFile,
  secretScrubber,
  siteStackConfig,
} from "../../sdk/fleet";
import { isHaError } from "../../sdk/plan";

const EXAMPLE = path.resolve(__dirname, "../../../examples/fleet/sites.yaml");
const ENV = { NORTH_PW: "n0rth-pw", NORTH_CARP: "carp-n", SOUTH_PW: "s0uth-pw", SOUTH_CARP: "c-s" };
const node = { url: "https://10.0.0.1", password: "pw1", fingerprint256: "AB:CD" };

function refused(doc: unknown, field: string, message: RegExp) {
  assert.throws(
    () => parseSites(doc, "/base", {}),
    (e: unknown) => {
      assert.ok(isHaError(e, "E_INVALID_INPUT"), String(e));
      assert.equal(e.field, field);
      assert.match(e.message, message);
      return true;
    },
  );
}

describe("fleet sites file", () => {
  it("reads examples/fleet/sites.yaml: project relative to the file, passwords from the environment", () => {
    const f = readSitesFile(EXAMPLE, ENV);
    assert.equal(f.project, path.resolve(path.dirname(EXAMPLE), "../two-node-cluster"));
    assert.deepEqual(
      f.sites.map((s) => s.name),
      ["branch-north", "branch-south"],
    );
    assert.equal(f.sites[0].primary.password, "n0rth-pw");
    assert.equal(f.sites[0].primary.username, "admin");
    assert.equal(f.sites[1].secondary.caCertFile, path.join(path.dirname(EXAMPLE), "south-ca.pem"));
    assert.deepEqual(f.sites[1].secrets, { carpPassword: "c-s" });
  });

  it("turns a site into stack config with passwords and secrets: marked secret", () => {
    const [site] = parseSites(
      {
        sites: [
          {
            name: "a",
            primary: node,
            secondary: node,
            config: { wanVip: "1.2.3.4" },
            secrets: { carpPassword: "cp" },
          },
        ],
      },
      "/base",
      {},
    ).sites;
    const c = siteStackConfig(site);
    assert.deepEqual(c.primaryPassword, { value: "pw1", secret: true });
    assert.deepEqual(c.carpPassword, { value: "cp", secret: true });
    assert.deepEqual(c.primaryFingerprint, { value: "AB:CD" });
    assert.deepEqual(c.wanVip, { value: "1.2.3.4" });
    assert.equal(c.primaryUrl.secret, undefined);
  });

  it("refuses mistakes, naming the site and field", () => {
    refused({ sites: [] }, "sites", /lists no sites/);
    refused(
      { sites: [{ name: "bad name", primary: node, secondary: node }] },
      "sites[0].name",
      /stack name/,
    );
    refused(
      {
        sites: [
          { name: "a", primary: node, secondary: node },
          { name: "a", primary: node, secondary: node },
        ],
      },
      "sites[1].name",
      /used by two sites/,
    );
    refused(
      { sites: [{ name: "a", primary: { url: "https://x", password: "p" }, secondary: node }] },
      "sites[0].primary",
      /neither fingerprint256 nor caCertFile/,
    );
    refused(
      {
        sites: [
          {
            name: "a",
            primary: node,
            secondary: { ...node, password: undefined, passwordEnv: "NOPE" },
          },
        ],
      },
      "sites[0].secondary.passwordEnv",
      /NOPE is not set/,
    );
    refused({ sites: [{ name: "a", primary: node }] }, "sites[0].secondary", /missing/);
  });

  it("scrubs every secret of every site from text", () => {
    const { sites } = readSitesFile(EXAMPLE, ENV);
    const scrub = secretScrubber(sites);
    assert.equal(
      scrub("login n0rth-pw / s0uth-pw, carp carp-n"),
      "login [secret] / [secret], carp [secret]",
    );
  });

  it("counts changed resources without `same`", () => {
    assert.deepEqual(countChanges({ same: 4, create: 2, delete: 1 }), {
      changes: 3,
      changeSummary: { create: 2, delete: 1 },
    });
    assert.deepEqual(countChanges(undefined), { changes: 0, changeSummary: {} });
  });
});
