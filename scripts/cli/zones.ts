import type { Hex } from "viem";
import { zoneLabel } from "@starminer/sdk";

import type { ProtocolClient } from "../lib/client.js";
import { UsageError } from "./errors.js";
import { parseZone } from "./parse.js";

/**
 * The zone a command was given, checked against the registry: a zone it has not enabled is a usage error that lists
 * the zones it has. `where` names the argument (`--zone`, or a spec file's field).
 */
export async function enabledZone(client: ProtocolClient, label: string, where = "--zone"): Promise<Hex> {
  const zone = parseZone(label);
  if (await client.nodeRegistry.read.isZoneEnabled([zone])) return zone;
  const enabled = [];
  for (const id of await client.nodeRegistry.read.zones()) {
    if (await client.nodeRegistry.read.isZoneEnabled([id])) enabled.push(zoneLabel(id));
  }
  throw new UsageError(`${where} "${label}" is not an enabled zone; the zones are: ${enabled.join(", ")}`);
}
