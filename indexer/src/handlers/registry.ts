import { node, zone } from "ponder:schema";

import { zoneLabel } from "../../../sdk/src/zones.js";
import type { Handlers } from "../lib/handler";
import { ensureNode } from "../lib/nodes";

/** Nodes, their hardware, attestations and capability proofs, and the zones they serve. */
export const registryHandlers: Handlers = {
  "NodeRegistry:NodeRegistered": async ({ event, context }) => {
    const { node: address, roles, metadata } = event.args;
    await ensureNode(context, address, event.block.timestamp);
    await context.db.update(node, { id: address }).set({
      registered: true,
      active: true,
      roles,
      zone: metadata.zone,
      endpoint: metadata.endpoint,
      gpuModel: metadata.gpuModel,
      vramMiB: metadata.vramMiB,
      computeCapability: metadata.computeCapability,
      tflopsCenti: metadata.tflopsCenti,
      teeType: metadata.teeType,
      registeredAt: event.block.timestamp,
      updatedAt: event.block.timestamp,
    });
  },
  "NodeRegistry:NodeMetadataUpdated": async ({ event, context }) => {
    const { node: address, metadata } = event.args;
    await context.db.update(node, { id: address }).set({
      zone: metadata.zone,
      endpoint: metadata.endpoint,
      gpuModel: metadata.gpuModel,
      vramMiB: metadata.vramMiB,
      computeCapability: metadata.computeCapability,
      tflopsCenti: metadata.tflopsCenti,
      teeType: metadata.teeType,
      updatedAt: event.block.timestamp,
    });
  },
  "NodeRegistry:NodeRolesUpdated": async ({ event, context }) => {
    await context.db
      .update(node, { id: event.args.node })
      .set({ roles: event.args.roles, updatedAt: event.block.timestamp });
  },
  "NodeRegistry:RuntimesSet": async ({ event, context }) => {
    await context.db
      .update(node, { id: event.args.node })
      .set({ runtimes: event.args.runtimes, updatedAt: event.block.timestamp });
  },
  "NodeRegistry:NodeDeactivated": async ({ event, context }) => {
    await context.db.update(node, { id: event.args.node }).set({ active: false, updatedAt: event.block.timestamp });
  },
  "NodeRegistry:NodeReactivated": async ({ event, context }) => {
    await context.db.update(node, { id: event.args.node }).set({ active: true, updatedAt: event.block.timestamp });
  },
  "NodeRegistry:AttestationRegistered": async ({ event, context }) => {
    const { node: address, teeType, measurement, enclaveSigner } = event.args;
    await context.db.update(node, { id: address }).set({
      teeType,
      enclaveMeasurement: measurement,
      enclaveSigner,
      updatedAt: event.block.timestamp,
    });
  },
  "NodeRegistry:AttestationCleared": async ({ event, context }) => {
    await context.db
      .update(node, { id: event.args.node })
      .set({ enclaveMeasurement: null, enclaveSigner: null, updatedAt: event.block.timestamp });
  },
  "NodeRegistry:CapabilityCommitted": async ({ event, context }) => {
    await context.db.update(node, { id: event.args.node }).set({
      capabilityCommitment: event.args.commitment,
      capabilityVerified: false,
      updatedAt: event.block.timestamp,
    });
  },
  "NodeRegistry:CapabilityVoided": async ({ event, context }) => {
    await context.db
      .update(node, { id: event.args.node })
      .set({ capabilityCommitment: null, capabilityVerified: false, updatedAt: event.block.timestamp });
  },
  "NodeRegistry:CapabilityVerified": async ({ event, context }) => {
    await context.db
      .update(node, { id: event.args.node })
      .set({ capabilityCommitment: event.args.commitment, capabilityVerified: true, updatedAt: event.block.timestamp });
  },
  "NodeRegistry:ZoneAdded": async ({ event, context }) => {
    await context.db.insert(zone).values({
      id: event.args.zone,
      label: event.args.label,
      enabled: true,
      addedAt: event.block.timestamp,
      updatedAt: event.block.timestamp,
    });
  },
  "NodeRegistry:ZoneEnabledSet": async ({ event, context }) => {
    const existing = await context.db.find(zone, { id: event.args.zone });
    if (existing === null) {
      await context.db.insert(zone).values({
        id: event.args.zone,
        label: zoneLabel(event.args.zone),
        enabled: event.args.enabled,
        addedAt: event.block.timestamp,
        updatedAt: event.block.timestamp,
      });
    } else {
      await context.db
        .update(zone, { id: event.args.zone })
        .set({ enabled: event.args.enabled, updatedAt: event.block.timestamp });
    }
  },
};
