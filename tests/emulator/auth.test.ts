import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import type { PhpStruct } from "../../sdk/codec/phpValue";
import { authenticate, hashPassword, verifyPassword } from "../../sdk/emulator";
import { sha512Crypt } from "../../sdk/emulator/sha512Crypt";

function cfg(users: PhpStruct[], groups: PhpStruct[] = []): PhpStruct {
  return { system: { user: users, group: groups } };
}

describe("auth against config.xml users (§3.1)", () => {
  it("verifies pfSense's $2y$ bcrypt hashes", () => {
    const h = hashPassword("p1");
    assert.match(h, /^\$2y\$10\$/);
    assert.equal(verifyPassword({ "bcrypt-hash": h }, "p1"), true);
    assert.equal(verifyPassword({ "bcrypt-hash": h }, "p2"), false);
  });

  it("verifies SHA-512 crypt (spec test vectors) and MD5 hex hashes", () => {
    assert.equal(
      sha512Crypt("Hello world!", "$6$saltstring"),
      "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
    );
    assert.equal(
      sha512Crypt("Hello world!", "$6$rounds=10000$saltstringsaltstring"),
      "$6$rounds=10000$saltstringsaltst$OW1/O6BYHV6BcXZu8QVeXbDWra3Oeqh0sbHbbMCVNSnCM/UrjmM0Dp8vOuZeHBy/YTBmSK6H9qs/y3RnOaw5v.",
    );
    const stored = sha512Crypt("s3", "$6$abcdefgh");
    assert.equal(verifyPassword({ "sha512-hash": stored }, "s3"), true);
    assert.equal(verifyPassword({ "sha512-hash": stored }, "s4"), false);
    const md5 = createHash("md5").update("m5").digest("hex");
    assert.equal(verifyPassword({ "md5-hash": md5 }, "m5"), true);
  });

  it("rejects empty credentials, unknown, disabled and expired users", () => {
    const h = hashPassword("pw");
    const c = cfg([
      { name: "ok", uid: "0", "bcrypt-hash": h },
      { name: "off", uid: "0", "bcrypt-hash": h, disabled: "" },
      { name: "old", uid: "0", "bcrypt-hash": h, expires: "01/01/2020" },
    ]);
    assert.equal(authenticate(c, "ok", "pw"), "ok");
    assert.equal(authenticate(c, "ok", ""), "bad-credentials");
    assert.equal(authenticate(c, "", "pw"), "bad-credentials");
    assert.equal(authenticate(c, "nobody", "pw"), "bad-credentials");
    assert.equal(authenticate(c, "off", "pw"), "bad-credentials");
    assert.equal(authenticate(c, "old", "pw"), "bad-credentials");
  });

  it("privilege: uid 0 exempt; others need system-xmlrpc-ha-sync from own privs, a member group, or group 'all'", () => {
    const h = hashPassword("pw");
    const users: PhpStruct[] = [
      { name: "a", uid: "2000", "bcrypt-hash": h },
      { name: "b", uid: "2001", "bcrypt-hash": h, priv: ["page-all"] },
    ];
    assert.equal(authenticate(cfg(users), "a", "pw"), "no-privilege");
    assert.equal(authenticate(cfg(users), "b", "pw"), "no-privilege");
    assert.equal(
      authenticate(
        cfg(users, [{ name: "all", gid: "1998", priv: ["system-xmlrpc-ha-sync"] }]),
        "a",
        "pw",
      ),
      "ok",
    );
    assert.equal(
      authenticate(
        cfg(users, [{ name: "g", gid: "2000", member: ["2001"], priv: ["system-xmlrpc-ha-sync"] }]),
        "b",
        "pw",
      ),
      "ok",
    );
    assert.equal(
      authenticate(
        cfg(users, [{ name: "g", gid: "2000", member: ["2001"], priv: ["system-xmlrpc-ha-sync"] }]),
        "a",
        "pw",
      ),
      "no-privilege",
    );
  });
});
