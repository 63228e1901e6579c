/**
 * The offline engine itself, before any pfSense code: a tiny dynamic resource goes through
 * preview, up, refresh and destroy against a file backend with the CLI built by setup
 * (pulumi-notes A3 step 7). When this fails, the other e2e suites cannot pass either.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { after, before, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { automation } from "@pulumi/pulumi";
import { engine, inlineStack, OutputLog, scratch, skipUnlessEngine } from "./engineHarness";

/**
 * A file on disk as a resource: create writes it, read reports it, delete removes it. Modules are
 * required inside the methods, as serialized providers should (pulumi-notes B2 pitfall 1).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const fileProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs) {
    require("node:fs").writeFileSync(inputs.path, inputs.content);
    return { id: inputs.path, outs: { ...inputs, length: inputs.content.length } };
  },
  async diff(_id, olds, news) {
    return { changes: olds.content !== news.content, replaces: [], deleteBeforeReplace: false };
  },
  async update(_id, _olds, news) {
    require("node:fs").writeFileSync(news.path, news.content);
    return { outs: { ...news, length: news.content.length } };
  },
  async read(id, props) {
    const fs = require("node:fs");
    if (!fs.existsSync(id)) return { id: "", props: {} };
    const content = fs.readFileSync(id, "utf8");
    return {
      id,
      props: { ...props, content, length: content.length },
      inputs: { path: id, content },
    };
  },
  async delete(id) {
    require("node:fs").rmSync(id, { force: true });
  },
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The dynamic resource (the SDK's class is abstract). */
class ManagedFile extends pulumi.dynamic.Resource {
  declare readonly length: pulumi.Output<number>;
  constructor(name: string, props: { path: string; content: string }) {
    super(fileProvider, name, { ...props, length: undefined }, undefined, "test", "ManagedFile");
  }
}

describe(
  "offline Pulumi engine (dynamic resource, file backend)",
  { skip: skipUnlessEngine() },
  () => {
    const s = scratch("engine-smoke");
    const target = path.join(s.dir, "managed.txt");
    let content = "one";
    let stack: automation.Stack;

    before(async () => {
      stack = await inlineStack(s, "smoke", async () => {
        const r = new ManagedFile("file", { path: target, content });
        return { length: r.length };
      });
    });
    after(() => s.cleanup());

    it("reports the CLI at the pinned version", async () => {
      const st = engine();
      assert.ok(st.installed);
      assert.equal(stack.workspace.pulumiVersion, st.layout.version);
    });

    it("previews a create, applies it, and previews no changes", async () => {
      const log = new OutputLog();
      const preview = await stack.preview({ diff: true, onOutput: log.onOutput });
      assert.equal(preview.changeSummary.create, 2, log.text); // the stack + the resource
      assert.equal(existsSync(target), false, "preview must not create anything");

      const up = await stack.up({ onOutput: log.onOutput });
      assert.equal(up.summary.result, "succeeded");
      assert.equal(readFileSync(target, "utf8"), "one");
      assert.equal(up.outputs.length.value, 3);

      const again = await stack.preview({ expectNoChanges: true });
      assert.equal(again.changeSummary.same, 2);
    });

    it("updates in place when an input changes", async () => {
      content = "two!";
      const up = await stack.up();
      assert.equal(up.summary.resourceChanges?.update, 1);
      assert.equal(readFileSync(target, "utf8"), "two!");
    });

    it("sees out-of-band drift on refresh and repairs it on the next up", async () => {
      writeFileSync(target, "edited by hand");
      const refresh = await stack.refresh();
      assert.equal(refresh.summary.resourceChanges?.update, 1);
      const up = await stack.up();
      assert.equal(up.summary.resourceChanges?.update, 1);
      assert.equal(readFileSync(target, "utf8"), "two!");
    });

    it("destroys what it created", async () => {
      const d = await stack.destroy();
      assert.equal(d.summary.result, "succeeded");
      assert.equal(existsSync(target), false);
    });
  },
);
