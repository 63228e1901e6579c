/**
 * The real pulumi CLI run as a child process by the suites that drive it directly (YAML and Go
 * programs), and the stack config those suites' programs read.
 */
import { execFile } from "node:child_process";
import type { EmulatedPair } from "../../sdk/emulator";
import { generateCarpPassword } from "../../sdk/plan";

/** How to run one command. */
export interface CliOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Kill the command after this long (ms). */
  timeoutMs: number;
  /** Written to the command's stdin, which is then closed. Never part of an error message. */
  input?: string;
}

/** Runs `file args`; resolves to stdout, rejects naming the command and its output. */
export function execCli(file: string, args: string[], opts: CliOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      { cwd: opts.cwd, env: opts.env, maxBuffer: 64 << 20, timeout: opts.timeoutMs },
      (err, stdout, stderr) =>
        err
          ? reject(
              new Error(
                `${file} ${args.join(" ")} failed (${err.code ?? err.signal})\n${stdout}\n${stderr}`,
              ),
            )
          : resolve(stdout),
    );
    child.stdin?.end(opts.input ?? "");
  });
}

/** Runs `pulumi <args> --non-interactive` in a project, `input` on stdin. */
export type PulumiRun = (args: string[], input?: string) => Promise<string>;

/**
 * Sets both nodes' URL, fingerprint and password and a CARP password as stack config
 * (`<role>Url`, `<role>Fingerprint`, `<role>Password`, `carpPassword`). Secrets go in on stdin:
 * a random one may start with "-", which the CLI would take for a flag, and on stdin they show
 * in no process list and no error.
 */
export async function setPairStackConfig(run: PulumiRun, pair: EmulatedPair): Promise<void> {
  for (const role of ["primary", "secondary"] as const) {
    await run(["config", "set", `${role}Url`, pair[role].url]);
    await run(["config", "set", `${role}Fingerprint`, pair[role].fingerprint256]);
    await run(["config", "set", "--secret", `${role}Password`], pair[role].password);
  }
  await run(["config", "set", "--secret", "carpPassword"], generateCarpPassword());
}
