import type { ClientConfig, ProtocolClient } from "../../lib/client.js";
import type { Output } from "../output.js";

/** What every command gets: its arguments after the command's name, the configuration, output, and the chain. */
export interface CommandContext {
  readonly args: string[];
  readonly config: ClientConfig;
  readonly out: Output;
  /** Connects on first use: commands that fail on their arguments never touch the network. */
  protocol(): Promise<ProtocolClient>;
}

export type Command = (context: CommandContext) => Promise<void>;
