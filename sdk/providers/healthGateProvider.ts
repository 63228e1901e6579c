/**
 * The health gate's dynamic provider, serialized into state: each method only loads the gate's
 * runtime entry by package name and delegates (the same convention as delegatingProvider.ts), so
 * nothing unserializable is captured and upgrades of the library reach existing stacks.
 */
import type * as pulumi from "@pulumi/pulumi";

/** The package subpath the serialized gate provider requires. */
export const HEALTH_GATE_RUNTIME_ENTRY = "pulumi-pfsense-ha/runtime/health-gate";

/** A provider object delegating to `require("pulumi-pfsense-ha/runtime/health-gate").healthGate`. */
export function healthGateDelegatingProvider(): pulumi.dynamic.ResourceProvider {
  /* eslint-disable @typescript-eslint/no-require-imports */
  return {
    check: (olds, news) =>
      require("pulumi-pfsense-ha/runtime/health-gate").healthGate.check(olds, news),
    diff: (id, olds, news) =>
      require("pulumi-pfsense-ha/runtime/health-gate").healthGate.diff(id, olds, news),
    create: (inputs) => require("pulumi-pfsense-ha/runtime/health-gate").healthGate.create(inputs),
    read: (id, props) =>
      require("pulumi-pfsense-ha/runtime/health-gate").healthGate.read(id, props),
    update: (id, olds, news) =>
      require("pulumi-pfsense-ha/runtime/health-gate").healthGate.update(id, olds, news),
    delete: (id, props) =>
      require("pulumi-pfsense-ha/runtime/health-gate").healthGate.delete(id, props),
  };
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** The one provider object (the SDK caches serialization per object). */
export const healthGateProvider = healthGateDelegatingProvider();
