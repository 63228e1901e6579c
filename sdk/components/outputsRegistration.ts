/**
 * Components of this package register no outputs with the engine (their outputs are class
 * properties read from the child resource). The SDK would still send one RegisterResourceOutputs
 * RPC per component, and when a deployment fails while that RPC is in flight the SDK turns its
 * "Resource monitor is terminating" error into an unhandled rejection in Automation API hosts
 * (pulumi/pulumi#10744; `runtime/resource.js` `runAsyncResourceOp`). Marking the component's
 * outputs as registered skips that RPC; the engine completes a component at its registration.
 */
import type * as pulumi from "@pulumi/pulumi";

/** Marks `component`'s (empty) outputs as registered without an RPC. */
export function outputsRegistered(component: pulumi.ComponentResource): void {
  (component as unknown as { __registered: boolean }).__registered = true;
}
