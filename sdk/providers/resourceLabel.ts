/**
 * How a resource is named in messages and error fields: `CarpVip[wan-vip]` (`?` when the
 * inputs carry no name).
 */
export function resourceLabel(kind: string, inp: { name?: string }): string {
  return `${kind}[${inp.name ?? "?"}]`;
}
