/**
 * `npm run bench`: runs every compiled `bench/*.bench.js` in turn. Each prints its own figures;
 * benchmarks measure, tests assert.
 */
import { globSync } from "node:fs";
import { join } from "node:path";

async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const files = globSync("*.bench.js", { cwd: __dirname })
    .sort()
    .filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
  for (const f of files) {
    console.log(`\n=== ${f.replace(/\.bench\.js$/, "")}`);
    const mod = (await import(join(__dirname, f))) as { run?: () => Promise<void> };
    if (typeof mod.run !== "function") throw new Error(`${f} exports no run()`);
    await mod.run();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
